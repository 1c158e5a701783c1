"""档案材料 through the API: the same services, scope and audit as the pages."""

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.audit.models import AuditEvent
from dangjian.documents.tests.conftest import PDF

LIST = "/api/documents/"


def upload(client, cast, name="志愿书.pdf", data=PDF):
    body = {
        "target_type": "members.member",
        "target_id": cast.member.pk,
        "kind": "入党志愿书",
        "file": SimpleUploadedFile(name, data),
    }
    return client.post(LIST, body)


def test_upload_list_and_download_through_the_api(cast):
    client = cast.client(cast.county_admin)
    created = upload(client, cast)
    assert created.status_code == 201, created.content
    doc = created.json()
    assert doc["original_name"] == "志愿书.pdf" and doc["target_type"] == "members.member"
    listed = client.get(LIST, {"target_type": "members.member", "target_id": cast.member.pk})
    assert [d["id"] for d in listed.json()] == [doc["id"]]
    download = client.get(f"{LIST}{doc['id']}/download/")
    assert download.status_code == 200 and download.content == PDF
    assert AuditEvent.objects.filter(action="documents.download_document").count() == 1


def test_api_refuses_wrong_content_with_the_message(cast):
    response = upload(cast.client(cast.county_admin), cast, name="a.pdf", data=b"MZ\x90\x00" * 10)
    assert response.status_code == 400 and "不是 PDF、JPG 或 PNG" in response.json()["detail"]


def test_outsider_is_refused_everywhere(cast):
    doc = upload(cast.client(cast.county_admin), cast).json()
    outsider = cast.client(cast.outsider)
    assert upload(outsider, cast).status_code == 404
    query = {"target_type": "members.member", "target_id": cast.member.pk}
    assert outsider.get(LIST, query).status_code == 404
    assert outsider.get(f"{LIST}{doc['id']}/").status_code == 404
    assert outsider.get(f"{LIST}{doc['id']}/download/").status_code == 404


def test_list_needs_the_record(cast):
    response = cast.client(cast.county_admin).get(LIST)
    assert response.status_code == 400


def test_api_cuts_off_a_far_too_large_file(cast, settings):
    settings.DANGJIAN_DOCUMENT_MAX_BYTES = 1024
    response = upload(
        cast.client(cast.county_admin), cast, name="大.pdf", data=PDF + b" " * 200_000
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "文件「大.pdf」超过了 1 KB 的上限，未上传。"
