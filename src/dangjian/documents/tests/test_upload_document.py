"""上传档案材料: in scope only, stored encrypted, recorded with its hash and retention."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.core.documents import raw_file, read_file
from dangjian.core.exceptions import DomainError
from dangjian.core.models import Document
from dangjian.documents.services import upload_document
from dangjian.documents.tests.conftest import PDF, PNG

SCAN = PDF + "入党志愿书 李明 第一页".encode() * 50


def upload(cast, actor=None, kind="入党志愿书", name="志愿书.pdf", data=SCAN):
    return upload_document(
        actor=actor or cast.secretary, target=cast.member, kind=kind, name=name, data=data
    )


def test_secretary_uploads_to_a_member_of_the_branch(cast):
    document = upload(cast)
    assert document.target == cast.member and document.org_path == cast.member.org_path
    assert document.sha256 == hashlib.sha256(SCAN).hexdigest() and document.size == len(SCAN)
    assert document.uploaded_by == cast.secretary and document.expires_on is None  # 长期
    entry = AuditEvent.objects.get(action="documents.upload_document")
    assert entry.actor == cast.secretary and entry.detail["file"] == "志愿书.pdf"


def test_stored_file_is_ciphertext_not_the_plain_file(cast, document_dir):
    document = upload(cast)
    stored = raw_file(document.storage_name)
    assert SCAN not in stored and b"%PDF" not in stored and "李明".encode() not in stored
    assert [p.name for p in document_dir.rglob("*") if p.is_file()] == [document.storage_name]
    assert read_file(document.storage_name) == SCAN


def test_outsider_cannot_upload_and_nothing_is_stored(cast, document_dir):
    with pytest.raises(DomainError, match="没有为该记录上传档案材料的权限"):
        upload(cast, actor=cast.outsider)
    assert not Document.objects.exists() and not document_dir.exists()


def test_a_member_cannot_upload_to_his_own_record(cast):
    with pytest.raises(DomainError):
        upload(cast, actor=cast.member_user)


def test_kind_must_be_one_the_record_offers(cast):
    with pytest.raises(DomainError, match="材料名称须为：入党申请书、入党志愿书"):
        upload(cast, kind="照片")


def test_refused_file_leaves_no_row_and_no_file(cast, document_dir):
    with pytest.raises(DomainError, match="扩展名"):
        upload(cast, name="志愿书.pdf", data=PNG)
    assert not Document.objects.exists() and not document_dir.exists()


def test_other_materials_are_kept_for_the_default_retention(cast, settings):
    settings.DANGJIAN_DOCUMENT_RETENTION_YEARS = 10
    when = dt.datetime(2024, 2, 29, 9, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(when, tick=False):
        document = upload(cast, kind="其他材料")
    assert document.expires_on == dt.date(2034, 2, 28)
