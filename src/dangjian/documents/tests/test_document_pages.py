"""The 档案材料 section on the member page: upload, list, download, and the outsider refused."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.core.models import Document
from dangjian.documents.services import upload_document
from dangjian.documents.tests.conftest import PDF, PNG


def upload_url(cast):
    return reverse("documents:upload", args=["members.member", cast.member.pk])


def post(client, cast, name="志愿书.pdf", data=PDF, kind="入党志愿书"):
    page = reverse("members:detail", args=[cast.member.pk])
    body = {"kind": kind, "file": SimpleUploadedFile(name, data), "next": page}
    return client.post(upload_url(cast), body, follow=True)


def test_secretary_uploads_on_the_member_page_and_sees_it_listed(cast):
    response = post(cast.client(cast.secretary), cast)
    html = response.content.decode()
    assert "已上传入党志愿书「志愿书.pdf」" in html and 'id="document-list"' in html
    assert "长期保存" in html and "下载将记入审计日志" in html


def test_wrong_type_is_refused_with_the_message_on_the_page(cast):
    response = post(cast.client(cast.secretary), cast, name="志愿书.pdf", data=PNG)
    assert "的内容是 PNG 图片" in response.content.decode()
    assert not Document.objects.exists()


def test_oversized_upload_is_refused_before_reading(cast, settings):
    settings.DANGJIAN_DOCUMENT_MAX_BYTES = 100
    response = post(cast.client(cast.secretary), cast, data=PDF + b" " * 100)
    assert "超过了 100 字节 的上限" in response.content.decode()
    assert not Document.objects.exists()


def test_outsider_cannot_upload_or_download(cast):
    assert post(cast.client(cast.outsider), cast).status_code == 404
    document = upload_document(
        actor=cast.secretary, target=cast.member, kind="入党志愿书", name="a.pdf", data=PDF
    )
    url = reverse("documents:document-download", args=[document.pk])
    assert cast.client(cast.outsider).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="documents.download_document").exists()


def test_download_from_the_page_is_the_file_and_audited(cast):
    document = upload_document(
        actor=cast.secretary, target=cast.member, kind="入党志愿书", name="志愿书.pdf", data=PDF
    )
    response = cast.client(cast.county_admin).get(
        reverse("documents:document-download", args=[document.pk])
    )
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert (
        "attachment" in response["Content-Disposition"]
        and response["Cache-Control"] == "private, no-store"
    )
    assert AuditEvent.objects.get(action="documents.download_document").actor == cast.county_admin


def test_committee_member_sees_the_list_but_no_upload_form(cast):
    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role
    from dangjian.conftest import _user

    reader = _user("committee", "支部委员")
    grant_role(actor=None, user=reader, role=Role.BRANCH_COMMITTEE, org=cast.branch, bootstrap=True)
    html = (
        cast.client(reader).get(reverse("members:detail", args=[cast.member.pk])).content.decode()
    )
    assert 'id="documents"' in html and 'id="document-upload"' not in html
    assert post(cast.client(reader), cast).status_code == 403  # sees the record, may not add


def test_member_sees_no_document_section_on_his_own_record(cast):
    html = cast.client(cast.member_user).get(reverse("members:detail", args=[cast.member.pk]))
    assert 'id="documents"' not in html.content.decode()


def test_upload_only_to_registered_record_types(cast):
    url = reverse("documents:upload", args=["auth.user", cast.secretary.pk])
    assert cast.client(cast.county_admin).post(url, {}).status_code == 404


def test_far_too_large_upload_is_cut_off_while_arriving(cast, settings):
    settings.DANGJIAN_DOCUMENT_MAX_BYTES = 1024
    response = post(cast.client(cast.secretary), cast, name="大.pdf", data=PDF + b" " * 200_000)
    assert "文件「大.pdf」超过了 1 KB 的上限，未上传" in response.content.decode()
    assert not Document.objects.exists()


def test_upload_without_csrf_token_is_refused(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.secretary)
    response = client.post(
        upload_url(cast), {"kind": "入党志愿书", "file": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert response.status_code == 403 and not Document.objects.exists()


def test_upload_entry_reads_as_words_in_the_audit_log(cast):
    from dangjian.audit.display import describe

    post(cast.client(cast.secretary), cast)
    entry = AuditEvent.objects.get(action="documents.upload_document")
    shown = dict(describe(entry))
    assert entry.action_label == "上传档案材料"
    assert shown["材料名称"] == "入党志愿书"
    assert shown["文件"] == "志愿书.pdf"


def test_section_form_carries_a_working_csrf_token(cast):
    import re

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.secretary)
    html = client.get(reverse("members:detail", args=[cast.member.pk])).content.decode()
    form = html[html.index('id="document-upload"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body = {
        "csrfmiddlewaretoken": token,
        "kind": "入党志愿书",
        "file": SimpleUploadedFile("a.pdf", PDF),
    }
    assert client.post(upload_url(cast), body).status_code == 302
    assert Document.objects.count() == 1
