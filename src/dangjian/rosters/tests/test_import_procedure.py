"""The roster import batch as a procedure: its steps are recorded, its status derived, and the
pages and API offer only the steps the engine allows this user now."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core.models import ProcedureStep
from dangjian.core.procedures import StepRefused, allowed_steps, state_of, take_step
from dangjian.rosters import services
from dangjian.rosters.models import ImportBatch
from dangjian.rosters.procedures import IMPORT
from dangjian.rosters.testing import roster_row, xlsx
from dangjian.rosters.tests.test_import_roster import confirm, upload


def steps(batch: ImportBatch) -> list[str]:
    return list(ProcedureStep.objects.of(IMPORT.name, batch.pk).values_list("step", flat=True))


def test_import_and_undo_are_recorded_as_steps_with_the_status_derived(cast: Any) -> None:
    batch = confirm(cast, upload(cast, xlsx([roster_row("陈建国")])))
    services.undo_import(actor=cast.county_admin, batch=batch)
    batch.refresh_from_db()
    assert steps(batch) == ["upload", "checked", "confirm", "applied", "undo"]
    assert state_of(IMPORT, batch) == batch.status == ImportBatch.Status.UNDONE
    applied = ProcedureStep.objects.get(step="applied")
    assert applied.actor == cast.county_admin and applied.data["added"] == 1


def test_only_the_latest_applied_batch_offers_undo(cast: Any) -> None:
    first = confirm(cast, upload(cast, xlsx([roster_row("陈建国")])))
    assert allowed_steps(cast.county_admin, first) == {"undo"}
    confirm(cast, upload(cast, xlsx([roster_row("刘秀英", gender="女")])))
    assert allowed_steps(cast.county_admin, first) == set()
    with pytest.raises(StepRefused, match="只能撤销该党组织最近一次导入的批次"):
        services.undo_import(actor=cast.county_admin, batch=first)


def test_a_batch_offers_nothing_to_a_user_without_the_ability(cast: Any) -> None:
    batch = upload(cast, xlsx([roster_row("陈建国")]), org=cast.branch)
    assert allowed_steps(cast.secretary, batch) == {"confirm"}
    assert allowed_steps(cast.outsider, batch) == set()
    with pytest.raises(StepRefused, match="没有「导入名册」的权限"):
        services.confirm_import(actor=cast.outsider, batch=batch, expected_version=batch.version)


def test_background_outcomes_cannot_be_taken_by_hand(cast: Any) -> None:
    batch = upload(cast, xlsx([roster_row("陈建国")]))
    services.confirm_import(
        actor=cast.county_admin, batch=batch, expected_version=batch.version
    )  # inline in tests: applied at once
    with pytest.raises(StepRefused, match="不能导入完成"):
        take_step(actor=cast.county_admin, definition=IMPORT, record=batch, step="applied")


def test_batch_page_explains_why_undo_is_not_offered(cast: Any) -> None:
    first = confirm(cast, upload(cast, xlsx([roster_row("陈建国")])))
    confirm(cast, upload(cast, xlsx([roster_row("刘秀英", gender="女")])))
    page = cast.client(cast.county_admin).get(reverse("rosters:batch", args=[first.pk]))
    body = page.content.decode()
    assert 'id="undo-btn"' not in body and "不能撤销：只能撤销该党组织最近一次导入的批次" in body
    assert "办理记录" in body and "导入完成 · 系统" in body and "确认导入 · <" in body


def test_api_lists_the_actions_this_user_may_take(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    upload = SimpleUploadedFile("r.xlsx", xlsx([roster_row("陈建国")]))
    body = client.post(reverse("roster-import-list"), {"org": cast.township.pk, "file": upload})
    actions = body.json()["actions"]
    assert actions == [{"step": "confirm", "title": "确认导入", "allowed": True, "reason": ""}]


def test_batches_from_before_the_engine_keep_their_status(cast: Any) -> None:
    from django.apps import apps

    migration = importlib.import_module("dangjian.rosters.migrations.0003_batch_steps_from_status")
    old = upload(cast, xlsx([roster_row("陈建国")]))
    older = ImportBatch.objects.create(
        org=cast.township, created_by=cast.county_admin, file_name="旧.xlsx", file_size=1,
        file_sha256="0", file_cipher=b"", status=ImportBatch.Status.APPLIED,
    )  # fmt: skip
    migration.carry_over(apps, None)
    assert state_of(IMPORT, older) == ImportBatch.Status.APPLIED
    assert steps(older) == ["carried_over"] and steps(old)[0] == "upload"  # untouched
    assert allowed_steps(cast.county_admin, older) == {"undo"}
