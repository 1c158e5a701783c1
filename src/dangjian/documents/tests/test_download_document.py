"""下载档案材料: for those who see the record's organization, every time audited."""

import pytest
from django.http import Http404

from dangjian.audit.models import AuditEvent
from dangjian.core.exceptions import DomainError
from dangjian.documents.selectors import documents_of, get_document_for_user
from dangjian.documents.services import download_document, upload_document
from dangjian.documents.tests.conftest import JPG


@pytest.fixture
def document(cast):
    return upload_document(
        actor=cast.secretary, target=cast.member, kind="入党志愿书", name="志愿书.jpg", data=JPG
    )


def test_download_gives_the_plain_file_and_is_audited_each_time(cast, document):
    for _ in range(2):
        found = download_document(actor=cast.township_admin, document=document)
        assert (found.data, found.name, found.mime_type) == (JPG, "志愿书.jpg", "image/jpeg")
    entries = AuditEvent.objects.filter(action="documents.download_document")
    assert entries.count() == 2 and {e.actor for e in entries} == {cast.township_admin}
    assert entries.first().target_id == str(cast.member.pk)


def test_outsider_is_refused_and_not_audited(cast, document):
    with pytest.raises(DomainError):
        download_document(actor=cast.outsider, document=document)
    with pytest.raises(Http404):
        get_document_for_user(cast.outsider, document.pk)
    assert not documents_of(cast.outsider, cast.member).exists()
    assert not AuditEvent.objects.filter(action="documents.download_document").exists()


def test_system_administrator_sees_no_documents(cast, document):
    with pytest.raises(Http404):
        get_document_for_user(cast.sysadmin, document.pk)


def test_access_follows_the_record_to_its_new_organization(cast, document):
    cast.member.org_path = cast.other_branch.path  # as a transfer leaves it
    cast.member.save(update_fields=["org_path"])
    document.refresh_from_db()
    with pytest.raises(Http404):
        get_document_for_user(cast.secretary, document.pk)
    assert get_document_for_user(cast.county_admin, document.pk) == document
