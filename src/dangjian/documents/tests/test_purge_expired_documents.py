"""保存期满: a document is kept up to the day before its 保存期满日期 and purged on that day."""

import datetime as dt

import pytest

from dangjian.audit.models import AuditEvent
from dangjian.core.models import Document
from dangjian.documents.services import purge_expired_documents, upload_document
from dangjian.documents.tests.conftest import PDF

EXPIRES = dt.date(2036, 3, 1)


@pytest.fixture
def document(cast):
    document = upload_document(
        actor=cast.secretary, target=cast.member, kind="其他材料", name="说明.pdf", data=PDF
    )
    Document.objects.filter(pk=document.pk).update(expires_on=EXPIRES)
    return document


def test_the_day_before_expiry_keeps_it(document):
    assert purge_expired_documents(EXPIRES - dt.timedelta(days=1)) == 0
    assert Document.objects.filter(pk=document.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_on_the_expiry_day_row_and_file_go_with_an_audit_entry(cast, document_dir):
    document = upload_document(
        actor=cast.secretary, target=cast.member, kind="其他材料", name="说明.pdf", data=PDF
    )
    Document.objects.filter(pk=document.pk).update(expires_on=EXPIRES)
    assert purge_expired_documents(EXPIRES) == 1
    assert not Document.objects.exists()
    assert not [p for p in document_dir.rglob("*") if p.is_file()]
    entry = AuditEvent.objects.get(action="documents.purge_expired_documents")
    assert entry.actor is None and entry.actor_name == "系统"
    assert entry.detail["file"] == "说明.pdf" and entry.detail["expires_on"] == "2036-03-01"
    assert entry.detail["org"] == "东街社区党支部" and entry.detail["material"] == "其他材料"
    assert purge_expired_documents(EXPIRES) == 0  # run again: nothing twice


def test_documents_kept_without_limit_are_never_purged(cast):
    upload_document(
        actor=cast.secretary, target=cast.member, kind="入党志愿书", name="a.pdf", data=PDF
    )
    assert purge_expired_documents(dt.date(2999, 1, 1)) == 0


def test_command_purges_on_the_given_day(document):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("purge_documents", "--today", "2036-02-29", stdout=out)
    assert "已删除 0 份" in out.getvalue()
    call_command("purge_documents", "--today", "2036-03-01", stdout=out)
    assert "已删除 1 份" in out.getvalue() and not Document.objects.exists()
