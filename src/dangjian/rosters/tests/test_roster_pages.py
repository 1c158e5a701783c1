"""Roster pages: upload → preview → confirm → undo, exports, printed forms, and who may do what."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.members.models import Member
from dangjian.rosters.models import ExportJob, ImportBatch
from dangjian.rosters.reader import read_roster
from dangjian.rosters.testing import roster_row, xlsx


def post_file(client: Any, org: Any, data: bytes, name: str = "花名册.xlsx") -> Any:
    upload = SimpleUploadedFile(name, data)
    return client.post(reverse("rosters:upload"), {"org": org.pk, "file": upload})


def test_upload_shows_the_preview_and_confirm_imports(cast: Any) -> None:
    client = cast.client(cast.secretary)
    response = post_file(client, cast.branch, xlsx([roster_row("陈建国")]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{batch.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "将新增（1 人）" in page and "确认导入" in page
    url = reverse("rosters:batch-confirm", args=[batch.pk])
    client.post(url, {"version": batch.version})
    assert Member.objects.filter(name="陈建国", org=cast.branch).exists()
    assert "新增 1 人" in client.get(reverse("rosters:batch", args=[batch.pk])).content.decode()


def test_preview_lists_errors_with_row_and_column(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    post_file(client, cast.township, xlsx([roster_row("陈建国", 入党日期="2010.07")]))
    page = client.get(reverse("rosters:batch", args=[ImportBatch.objects.get().pk]))
    body = page.content.decode()
    assert "K 列「入党日期」" in body and "只有年月" in body and "确认导入" not in body


def test_confirming_twice_is_refused(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    post_file(client, cast.township, xlsx([roster_row("陈建国")]))
    batch = ImportBatch.objects.get()
    url = reverse("rosters:batch-confirm", args=[batch.pk])
    client.post(url, {"version": batch.version})
    response = client.post(url, {"version": batch.version}, follow=True)
    assert "不能确认导入" in response.content.decode()
    assert Member.objects.filter(name="陈建国").count() == 1


def test_oversized_upload_is_refused_while_arriving(cast: Any, settings: Any) -> None:
    settings.DANGJIAN_IMPORT_MAX_BYTES = 2000
    response = post_file(cast.client(cast.county_admin), cast.township, b"x" * 5000)
    assert response.status_code == 400 and "文件超过 2.0 KB 的上限" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_undo_removes_added_members_and_restores_changes(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    row = roster_row("李明", 公民身份号码=cast.member.reveal_id_number(), 学历="研究生")
    post_file(client, cast.township, xlsx([roster_row("陈建国"), row]))
    batch = ImportBatch.objects.get()
    client.post(reverse("rosters:batch-confirm", args=[batch.pk]), {"version": batch.version})
    assert Member.objects.get(pk=cast.member.pk).education == "pg"
    client.post(reverse("rosters:batch-undo", args=[batch.pk]), {"confirmed": "1"})
    assert not Member.objects.filter(name="陈建国").exists()
    assert Member.objects.get(pk=cast.member.pk).education == "ba"
    assert ImportBatch.objects.get().status == "undone"


def test_undo_is_refused_when_a_member_changed_since(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    post_file(client, cast.township, xlsx([roster_row("陈建国")]))
    batch = ImportBatch.objects.get()
    client.post(reverse("rosters:batch-confirm", args=[batch.pk]), {"version": batch.version})
    Member.objects.filter(name="陈建国").update(version=5)
    url = reverse("rosters:batch-undo", args=[batch.pk])
    response = client.post(url, {"confirmed": "1"}, follow=True)
    assert "陈建国（第 2 行）" in response.content.decode()
    assert Member.objects.filter(name="陈建国").exists()


def test_original_file_needs_the_unmask_permission_and_is_logged(cast: Any) -> None:
    data = xlsx([roster_row("陈建国")])
    post_file(cast.client(cast.township_admin), cast.township, data)
    url = reverse("rosters:batch-file", args=[ImportBatch.objects.get().pk])
    assert cast.client(cast.township_admin).get(url).status_code == 403
    assert cast.client(cast.county_admin).get(url).content == data
    assert AuditEvent.objects.filter(action="rosters.batch_file").count() == 1


def test_others_cannot_see_or_confirm_a_batch(cast: Any) -> None:
    post_file(cast.client(cast.county_admin), cast.township, xlsx([roster_row("陈建国")]))
    batch = ImportBatch.objects.get()
    for user in (cast.outsider, cast.secretary, cast.member_user, cast.sysadmin):
        client = cast.client(user)
        assert client.get(reverse("rosters:batch", args=[batch.pk])).status_code == 404
        url = reverse("rosters:batch-confirm", args=[batch.pk])
        assert client.post(url, {"version": batch.version}).status_code == 404
        assert client.post(reverse("rosters:batch-undo", args=[batch.pk])).status_code == 404
        assert client.get(reverse("rosters:batch-file", args=[batch.pk])).status_code == 404
    assert not Member.objects.filter(name="陈建国").exists()


def test_readers_without_write_scope_get_no_import_page(cast: Any) -> None:
    for user in (cast.member_user, cast.auditadmin):
        assert cast.client(user).get(reverse("rosters:home")).status_code == 403
        response = post_file(cast.client(user), cast.branch, xlsx([roster_row()]))
        assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_template_has_headers_drop_downs_and_instructions(cast: Any) -> None:
    body = cast.client(cast.secretary).get(reverse("rosters:template")).content
    wb = load_workbook(io.BytesIO(body))
    assert wb.sheetnames == ["党员花名册", "代码表", "填写说明"]
    ws = wb["党员花名册"]
    assert [c.value for c in ws[1]][:4] == ["姓名", "性别", "民族", "公民身份号码"]
    assert len(ws.data_validations.dataValidation) == 5 and ws["D2"].number_format == "@"
    assert read_roster(body, "t.xlsx").rows == []


def export(cast: Any, user: Any, query: str = "", full: bool = False) -> Any:
    url = reverse("rosters:export") + query
    data = {"full": "1", "confirmed": "1"} if full else {}
    return cast.client(user).post(url, data, follow=True)


def test_export_is_masked_by_default_and_logged(cast: Any) -> None:
    rows = list(load_workbook(io.BytesIO(export(cast, cast.county_admin).content)).active.values)
    liming = next(r for r in rows if r[0] == "李明")
    assert liming[3] == cast.member.id_masked and liming[9] == "139****1111"
    assert AuditEvent.objects.get(action="rosters.start_export").detail["full"] is False


def test_full_export_needs_the_permission(cast: Any) -> None:
    refused = export(cast, cast.township_admin, full=True)
    assert "需要相应权限" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="rosters.start_export").exists()
    allowed = export(cast, cast.county_admin, full=True)
    rows = list(load_workbook(io.BytesIO(allowed.content)).active.values)
    assert any(r[3] == cast.member.reveal_id_number() for r in rows)
    assert AuditEvent.objects.get(action="rosters.start_export").detail["full"] is True


def test_export_follows_the_list_filters_and_scope(cast: Any) -> None:
    query = f"?org={cast.branch.pk}"
    names = [
        r[0]
        for r in load_workbook(
            io.BytesIO(export(cast, cast.county_admin, query).content)
        ).active.values
    ]
    assert "李明" in names and "王芳" not in names
    names = [
        r[0] for r in load_workbook(io.BytesIO(export(cast, cast.outsider).content)).active.values
    ]
    assert names == ["姓名", "赵强"]


def test_large_export_runs_as_a_job_with_progress_page(cast: Any, settings: Any) -> None:
    settings.DANGJIAN_EXPORT_INLINE_ROWS = 0
    client = cast.client(cast.county_admin)
    response = client.post(reverse("rosters:export"))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("rosters:export-job", args=[job.pk])
    poll = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert poll["HX-Redirect"] == reverse("rosters:export-download", args=[job.pk])
    assert cast.client(cast.township_admin).get(poll["HX-Redirect"]).status_code == 404


def test_export_reimports_with_no_changes(cast: Any) -> None:
    body = export(cast, cast.county_admin, f"?org={cast.township.pk}", full=True).content
    client = cast.client(cast.county_admin)
    post_file(client, cast.township, body, "导出.xlsx")
    counts = ImportBatch.objects.get().preview["counts"]
    assert (counts["add"], counts["update"], counts["errors"], counts["same"]) == (0, 0, 0, 1)


def test_member_sheet_pdf_is_masked_unless_permitted_and_logged(cast: Any) -> None:
    url = reverse("rosters:member-sheet", args=[cast.member.pk])
    response = cast.client(cast.secretary).get(url)
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert cast.client(cast.township_admin).get(url + "?full=1").status_code == 403
    assert cast.client(cast.member_user).get(url).status_code == 200  # one's own record
    assert (
        AuditEvent.objects.filter(
            action="rosters.member_sheet", target_id=str(cast.member.pk)
        ).count()
        == 2
    )


def test_branch_roster_pdf_for_a_past_date(cast: Any) -> None:
    url = reverse("rosters:org-roster", args=[cast.branch.pk]) + "?on=2011-01-01"
    response = cast.client(cast.secretary).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditEvent.objects.get(action="rosters.branch_roster").detail["rows"] == 1
    assert cast.client(cast.outsider).get(url).status_code in (403, 404)


def test_missing_font_gives_a_clear_page(cast: Any, settings: Any) -> None:
    from dangjian.rosters.pdf import clear_font_cache

    settings.DANGJIAN_PDF_FONT = "/nonexistent/font.ttc"
    clear_font_cache()
    try:
        response = cast.client(cast.secretary).get(
            reverse("rosters:member-sheet", args=[cast.member.pk])
        )
    finally:
        clear_font_cache()
    assert response.status_code == 503 and "fonts-noto-cjk" in response.content.decode()


def test_year_end_roster_counts_members_as_they_were(cast: Any) -> None:
    on = dt.date(2010, 12, 31)  # 李明 was probationary then
    response = cast.client(cast.secretary).get(
        reverse("rosters:org-roster", args=[cast.branch.pk]) + f"?on={on}"
    )
    assert response.status_code == 200


def test_export_of_all_statuses_matches_its_count(cast: Any) -> None:
    from dangjian.members.services import record_event

    record_event(
        actor=cast.county_admin,
        member=cast.neighbour,
        kind="death",
        effective_date=dt.date(2026, 1, 5),
    )
    response = export(cast, cast.county_admin, "?status=")
    names = [r[0] for r in load_workbook(io.BytesIO(response.content)).active.values][1:]
    assert sorted(names) == ["李明", "王芳"] and ExportJob.objects.get().total == 2


def test_list_refresh_carries_the_export_form_with_the_new_filters(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    url = reverse("members:list") + f"?org={cast.branch.pk}"
    body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="export-form" hx-swap-oob="true"' in body
    assert f'action="/rosters/exports/?org={cast.branch.pk}' in body


def test_api_upload_preview_confirm_and_undo(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    upload = SimpleUploadedFile("r.xlsx", xlsx([roster_row("陈建国")]))
    created = client.post(reverse("roster-import-list"), {"org": cast.township.pk, "file": upload})
    body = created.json()
    assert created.status_code == 201 and body["status"] == "ready"
    assert body["preview"]["counts"]["add"] == 1
    url = reverse("roster-import-confirm", args=[body["id"]])
    assert client.post(url, {"version": body["version"]}).json()["status"] == "applied"
    assert client.post(url, {"version": body["version"]}).status_code == 400
    undone = client.post(reverse("roster-import-undo", args=[body["id"]]))
    assert undone.json()["status"] == "undone" and not Member.objects.filter(name="陈建国").exists()


def test_api_refuses_other_counties(cast: Any) -> None:
    upload = SimpleUploadedFile("r.xlsx", xlsx([roster_row("陈建国")]))
    client = cast.client(cast.outsider)
    response = client.post(reverse("roster-import-list"), {"org": cast.township.pk, "file": upload})
    assert response.status_code in (403, 404) and not ImportBatch.objects.exists()
    post_file(cast.client(cast.county_admin), cast.township, xlsx([roster_row("陈建国")]))
    batch = ImportBatch.objects.get()
    assert client.get(reverse("roster-import-detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("roster-import-list")).json()["count"] == 0


def test_upload_still_needs_the_csrf_token(cast: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.county_admin)
    assert post_file(client, cast.township, xlsx([roster_row()])).status_code == 403
    assert not ImportBatch.objects.exists()


def test_an_import_cut_off_by_a_restart_can_be_confirmed_again(cast: Any, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from dangjian.core.tasks import recover_interrupted, run_queued
    from dangjian.rosters import services

    settings.TASKS = settings.TASKS_DATABASE
    client = cast.client(cast.county_admin)
    post_file(client, cast.township, xlsx([roster_row("陈建国")]))
    run_queued()
    batch = ImportBatch.objects.get()
    services.confirm_import(actor=cast.county_admin, batch=batch, expected_version=batch.version)
    # A worker claimed the import and was killed: its task stays "running", its process is gone.
    DBTaskResult.objects.ready().update(status="RUNNING", worker_ids=["killed-worker"])
    assert len(recover_interrupted()) == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY and "已中断" in batch.message
    assert DBTaskResult.objects.failed().get().exception_class_path.endswith(".Interrupted")
    body = client.get(reverse("rosters:batch", args=[batch.pk])).content.decode()
    assert "本次导入已中断，未写入任何数据" in body and 'id="confirm-btn"' in body
    assert not Member.objects.filter(name="陈建国").exists()
    client.post(reverse("rosters:batch-confirm", args=[batch.pk]), {"version": batch.version})
    run_queued()
    assert Member.objects.filter(name="陈建国").exists()


def test_the_batch_page_shows_the_stored_progress_of_its_task(cast: Any, settings: Any) -> None:
    from dangjian.core.tasks import report_progress

    settings.TASKS = settings.TASKS_DATABASE  # queued: nobody runs it in this test
    client = cast.client(cast.county_admin)
    post_file(client, cast.township, xlsx([roster_row()]))
    batch = ImportBatch.objects.get()
    url = reverse("rosters:batch", args=[batch.pk])
    assert "正在处理，请稍候" in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    report_progress(f"import:{batch.pk}", 40, 120)  # as the worker's process writes it
    body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "已处理 40 / 120 行" in body and "every 1s" in body


def test_a_batch_nobody_has_picked_up_for_minutes_says_the_worker_may_be_down(
    cast: Any, settings: Any
) -> None:
    from django.utils import timezone

    from dangjian.core.tasks import beat

    settings.TASKS = settings.TASKS_DATABASE
    beat("running-worker")  # a worker is running (this process's pid): it just has not begun
    client = cast.client(cast.county_admin)
    post_file(client, cast.township, xlsx([roster_row()]))
    url = reverse("rosters:batch", args=[ImportBatch.objects.get().pk])
    ImportBatch.objects.update(status_at=timezone.now() - dt.timedelta(minutes=2, seconds=-1))
    assert 'id="batch-waiting"' not in client.get(url).content.decode()
    ImportBatch.objects.update(status_at=timezone.now() - dt.timedelta(minutes=2))
    assert "后台服务尚未处理本批次" in client.get(url).content.decode()


def test_a_batch_whose_worker_was_killed_says_no_worker_is_running(
    cast: Any, settings: Any
) -> None:
    from dangjian.core.models import WorkerBeat
    from dangjian.core.tasks import beat, clear_progress, report_progress

    settings.TASKS = settings.TASKS_DATABASE
    client = cast.client(cast.county_admin)
    post_file(client, cast.township, xlsx([roster_row()]))
    batch = ImportBatch.objects.get()
    url = reverse("rosters:batch", args=[batch.pk])
    beat("killed-worker")
    clear_progress(f"import:{batch.pk}")  # forget another test's write under this key (throttle)
    report_progress(f"import:{batch.pk}", 40, 120)  # its last report, left behind
    assert 'id="batch-waiting"' not in client.get(url).content.decode()
    WorkerBeat.objects.update(pid=2**22 + 1)  # above pid_max: that process is gone
    body = client.get(url).content.decode()
    assert "已处理 40 / 120 行" in body and "后台服务目前没有运行" in body


def test_a_check_cut_off_by_a_restart_runs_again(cast: Any, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from dangjian.core.tasks import recover_interrupted, run_queued

    settings.TASKS = settings.TASKS_DATABASE
    post_file(cast.client(cast.county_admin), cast.township, xlsx([roster_row()]))
    DBTaskResult.objects.ready().update(status="RUNNING", worker_ids=["killed-worker"])
    recover_interrupted()
    assert DBTaskResult.objects.ready().count() == 1  # a check writes nothing: run it again
    run_queued()
    assert ImportBatch.objects.get().status == ImportBatch.Status.READY


def test_full_export_is_confirmed_before_anything_is_written(cast: Any) -> None:
    url = reverse("rosters:export") + f"?org={cast.branch.pk}"
    page = cast.client(cast.county_admin).post(url, {"full": "1"})
    body = page.content.decode()
    assert page.status_code == 200 and "无法收回" in body and 'name="confirmed"' in body
    assert f'action="{url}"' in body and "<script" not in body.split("</head>")[1]
    assert not AuditEvent.objects.filter(action="rosters.start_export").exists()
    assert not ExportJob.objects.exists()


def test_undo_is_confirmed_before_members_are_deleted(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    post_file(client, cast.township, xlsx([roster_row("陈建国")]))
    batch = ImportBatch.objects.get()
    client.post(reverse("rosters:batch-confirm", args=[batch.pk]), {"version": batch.version})
    page = client.post(reverse("rosters:batch-undo", args=[batch.pk]))
    assert page.status_code == 200 and "新增的党员将被删除" in page.content.decode()
    assert Member.objects.filter(name="陈建国").exists()
    assert "onsubmit" not in client.get(reverse("rosters:batch", args=[batch.pk])).content.decode()
