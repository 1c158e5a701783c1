"""Roster import: a clean file, then a corpus of broken ones (each error named, nothing written)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dangjian.members.models import Member
from dangjian.rosters import services
from dangjian.rosters.models import ImportBatch
from dangjian.rosters.testing import csv_bytes, roster_row, xls, xlsx

Status = ImportBatch.Status


def upload(
    cast: Any, data: bytes, *, name: str = "花名册.xlsx", org: Any = None, actor: Any = None
) -> ImportBatch:
    batch = services.start_import(
        actor=actor or cast.county_admin, org=org or cast.township, file_name=name, data=data
    )
    batch.refresh_from_db()
    return batch


def confirm(cast: Any, batch: ImportBatch, actor: Any = None) -> ImportBatch:
    services.confirm_import(
        actor=actor or cast.county_admin, batch=batch, expected_version=batch.version
    )
    batch.refresh_from_db()
    return batch


def three_rows() -> list[dict[str, Any]]:
    return [
        roster_row("陈建国"),
        roster_row("刘秀英", gender="女", birth=dt.date(1990, 1, 2)),
        roster_row(
            "阿卜杜·热合曼",
            民族="维吾尔族",
            转正日期=None,
            党员类别="预备党员",
            入党日期=dt.date(2026, 3, 1),
        ),
    ]


def test_clean_roster_previews_then_imports_every_row(cast: Any) -> None:
    batch = upload(cast, xlsx(three_rows()))
    assert batch.status == Status.READY
    assert batch.preview["counts"] | {} == batch.preview["counts"]
    assert (batch.preview["counts"]["add"], batch.preview["counts"]["errors"]) == (3, 0)
    assert not Member.objects.filter(name="陈建国").exists()  # the preview writes nothing
    batch = confirm(cast, batch)
    assert batch.status == Status.APPLIED and batch.result["added"] == 3
    uyghur = Member.objects.get(name="阿卜杜·热合曼")
    assert (uyghur.category, uyghur.org, uyghur.ethnicity) == ("prob", cast.branch, "05")
    assert uyghur.events.count() == 1 and uyghur.spells.count() == 1


def test_importing_the_same_file_twice_changes_nothing(cast: Any) -> None:
    data = xlsx(three_rows())
    confirm(cast, upload(cast, data))
    again = upload(cast, data)
    counts = again.preview["counts"]
    assert (counts["add"], counts["update"], counts["same"]) == (0, 0, 3)
    versions = list(Member.objects.order_by("pk").values_list("version", flat=True))
    confirm(cast, again)
    assert list(Member.objects.order_by("pk").values_list("version", flat=True)) == versions


def test_update_by_id_number_changes_only_what_differs(cast: Any) -> None:
    rows = three_rows()
    confirm(cast, upload(cast, xlsx(rows)))
    rows[0]["学历"], rows[0]["联系电话"] = "研究生", "13900000000"
    batch = upload(cast, xlsx(rows))
    assert batch.preview["counts"]["update"] == 1
    change = batch.preview["updates"][0]["changes"]
    assert change["学历"] == ["大学本科", "研究生"] and change["联系电话"][1] == "139****0000"
    confirm(cast, batch)
    assert Member.objects.get(name="陈建国").education == "pg"


def test_probationary_member_converted_by_a_later_roster(cast: Any) -> None:
    rows = [roster_row("周新", 转正日期=None, 党员类别="预备党员", 入党日期=dt.date(2025, 5, 1))]
    confirm(cast, upload(cast, xlsx(rows)))
    rows[0].update({"转正日期": dt.date(2026, 5, 1), "党员类别": "正式党员"})
    batch = confirm(cast, upload(cast, xlsx(rows)))
    member = Member.objects.get(name="周新")
    assert batch.result["converted"] == 1 and member.category == "full"
    assert member.events.filter(kind="convert", effective_date=dt.date(2026, 5, 1)).exists()


def test_csv_in_gbk_is_read(cast: Any) -> None:
    batch = upload(cast, csv_bytes(three_rows(), encoding="gb18030"), name="名册.csv")
    assert batch.status == Status.READY and batch.preview["counts"]["add"] == 3


def test_old_xls_format_is_read(cast: Any) -> None:
    batch = upload(cast, xls(three_rows()), name="名册.xls")
    assert batch.status == Status.READY and batch.preview["counts"]["add"] == 3
    assert confirm(cast, batch).result["added"] == 3


def test_outsider_cannot_import_into_another_county(cast: Any) -> None:
    with pytest.raises(services.DomainError, match="不在您的管理范围"):
        upload(cast, xlsx(three_rows()), actor=cast.outsider)
    assert not ImportBatch.objects.exists()


def test_registry_changed_after_preview_is_caught_at_confirmation(cast: Any) -> None:
    row = roster_row("李明", 公民身份号码=cast.member.reveal_id_number(), 学历="研究生")
    batch = upload(cast, xlsx([row, roster_row("陈建国")]))
    Member.objects.filter(pk=cast.member.pk).update(version=7)  # someone saved 李明 meanwhile
    batch = confirm(cast, batch)
    assert batch.status == Status.READY and "发生了变化" in batch.message
    assert not Member.objects.filter(name="陈建国").exists()
    assert confirm(cast, batch).status == Status.APPLIED  # the refreshed preview confirms


def test_undo_voids_the_conversion_an_import_recorded(cast: Any) -> None:
    rows = [roster_row("周新", 转正日期=None, 党员类别="预备党员", 入党日期=dt.date(2025, 5, 1))]
    confirm(cast, upload(cast, xlsx(rows)))
    rows[0].update({"转正日期": dt.date(2026, 5, 1), "党员类别": "正式党员"})
    batch = confirm(cast, upload(cast, xlsx(rows)))
    services.undo_import(actor=cast.county_admin, batch=batch)
    member = Member.objects.get(name="周新")
    assert member.category == "prob" and member.events.get(kind="convert").voided_at is not None


def test_only_the_latest_batch_of_an_organization_can_be_undone(cast: Any) -> None:
    first = confirm(cast, upload(cast, xlsx([roster_row("陈建国")])))
    confirm(cast, upload(cast, xlsx([roster_row("刘丽", gender="女", birth=dt.date(1990, 1, 2))])))
    with pytest.raises(services.DomainError, match="最近一次"):
        services.undo_import(actor=cast.county_admin, batch=first)


@pytest.mark.django_db(transaction=True)
def test_a_worker_checks_and_loads_the_batch_from_the_database_queue(settings: Any) -> None:
    """Outside tests the work is queued in the database and a worker runs it."""
    from django_tasks_db.models import DBTaskResult

    from dangjian.conftest import build_cast
    from dangjian.core.tasks import run_queued

    cast = build_cast()
    settings.TASKS = settings.TASKS_DATABASE
    batch = upload(cast, xlsx([roster_row("陈建国")]))
    assert batch.status == Status.CHECKING and DBTaskResult.objects.ready().count() == 1
    run_queued()
    batch.refresh_from_db()
    assert batch.status == Status.READY
    services.confirm_import(actor=cast.county_admin, batch=batch, expected_version=batch.version)
    assert not Member.objects.filter(name="陈建国").exists()  # queued, not run yet
    run_queued()
    batch.refresh_from_db()
    assert batch.status == Status.APPLIED and Member.objects.filter(name="陈建国").exists()
    assert DBTaskResult.objects.successful().count() == 2


def test_undo_deletes_the_members_an_import_added_and_the_history_says_so(cast: Any) -> None:
    """docs/architecture.md: the one way a member is deleted."""
    batch = confirm(cast, upload(cast, xlsx([roster_row("陈建国")])))
    pk = Member.objects.get(name="陈建国").pk
    services.undo_import(actor=cast.county_admin, batch=batch)
    assert not Member.objects.filter(pk=pk).exists()
    assert Member.history.filter(id=pk, history_type="-").exists()


def test_import_refuses_a_full_date_before_the_probation_ends(cast: Any) -> None:
    rows = [roster_row("周新", 入党日期=dt.date(2020, 5, 1), 转正日期=dt.date(2021, 4, 30))]
    batch = upload(cast, xlsx(rows))
    assert batch.preview["counts"]["errors"] == 1
    assert "预备期满之日为 2021-05-01" in str(batch.preview)


def test_preview_refuses_an_early_conversion_of_a_registered_probationer(cast: Any) -> None:
    rows = [roster_row("周新", 转正日期=None, 党员类别="预备党员", 入党日期=dt.date(2025, 5, 1))]
    confirm(cast, upload(cast, xlsx(rows)))
    rows[0].update({"转正日期": dt.date(2026, 4, 30), "党员类别": "正式党员"})
    batch = upload(cast, xlsx(rows))
    assert batch.preview["counts"]["errors"] == 1
    assert "预备期满之日为 2026-05-01" in str(batch.preview)
