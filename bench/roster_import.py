"""Roster import benchmark (part of `make bench`): a generated roster of BENCH_IMPORT_ROWS rows
(default 100,000) as .xlsx, imported through the real services, against the floor: a plain
openpyxl read-only pass over the same file (every cell read, nothing validated or written),
measured in the same run.

Stages timed: 校验 (start_import: read, validate every row, match by ID number against the
registry, build the preview) and 导入 (confirm_import: re-read and re-validate inside the
transaction, then write members, history, events, spells and the batch's change list).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import time
from typing import Any

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
TODAY = dt.date(2026, 11, 1)


def roster_file(rows: int) -> tuple[bytes, Any]:
    """A county tree in the database and an .xlsx roster of `rows` new members for it."""
    from openpyxl import Workbook

    from dangjian.demo.generator import MemberStream, build_tree, plan_county
    from dangjian.members.choices import ETHNICITY_CHOICES, Education, Gender, PersonCategory
    from dangjian.rosters.columns import TEMPLATE_COLUMNS

    orgs = build_tree(plan_county(rows, random.Random(7)), random.Random(7), today=TODAY)
    labels = {
        "gender": dict(Gender.choices),
        "ethnicity": dict(ETHNICITY_CHOICES),
        "education": dict(Education.choices),
        "person_category": dict(PersonCategory.choices),
    }
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员花名册")
    headers = [c.header for c in TEMPLATE_COLUMNS if c.key != "org"] + ["党组织代码"]
    ws.append(headers)
    for data, adm in MemberStream(orgs, rows, random.Random(7), TODAY):
        ws.append(
            [
                data.name,
                labels["gender"][data.gender],
                labels["ethnicity"][data.ethnicity],
                data.id_number,
                data.birth_date,
                labels["education"][data.education],
                labels["person_category"][data.person_category],
                data.native_place,
                data.work_unit_post,
                data.phone,
                adm.join_date,
                adm.full_date,
                "正式党员" if adm.full_date else "预备党员",
                adm.org.code,
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), orgs[0][0]


def openpyxl_floor(data: bytes) -> float:
    from openpyxl import load_workbook

    started = time.perf_counter()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = sum(len(row) for row in wb.worksheets[0].iter_rows(values_only=True))
    assert cells > ROWS
    return time.perf_counter() - started


def clear_members() -> None:
    from django.db import connection

    from dangjian.members.models import Member, MemberEvent, MemberSpell
    from dangjian.rosters.models import ImportChange

    with connection.cursor() as cursor:
        for model in (ImportChange, MemberSpell, MemberEvent, Member.history.model, Member):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


def run() -> list[tuple[str, str, str, str]]:
    from django.contrib.auth import get_user_model

    from dangjian.accounts.models import Role
    from dangjian.accounts.services import grant_role
    from dangjian.members.models import Member
    from dangjian.rosters import services

    clear_members()  # the generator's ID numbers repeat from run to run: start from none
    started = time.perf_counter()
    data, root = roster_file(ROWS)
    setup = time.perf_counter() - started
    user = get_user_model().objects.create_user("bench-importer", password="x")
    grant_role(actor=None, user=user, role=Role.ORG_ADMIN, org=root, bootstrap=True)
    before = Member.objects.count()

    floor = openpyxl_floor(data)
    started = time.perf_counter()
    batch = services.start_import(actor=user, org=root, file_name="bench.xlsx", data=data)
    check = time.perf_counter() - started
    batch.refresh_from_db()
    errors = batch.preview.get("errors", [])[:3]
    assert batch.status == "ready", (batch.status, batch.message, errors)
    started = time.perf_counter()
    services.confirm_import(actor=user, batch=batch, expected_version=batch.version)
    load = time.perf_counter() - started
    batch.refresh_from_db()
    assert batch.status == "applied", (batch.status, batch.message)
    assert Member.objects.count() - before == ROWS
    total = check + load
    print(
        f"\nroster import: {ROWS:,} rows, {len(data) / 1048576:.1f} MB .xlsx"
        f" (file generated in {setup:.1f} s, not timed)"
    )
    return [
        ("roster import", "time", "rate", "ratio"),
        (
            "  openpyxl read-only pass over the file (floor)",
            f"{floor:.2f} s",
            f"{ROWS / floor:,.0f} rows/s",
            "1.00",
        ),
        (
            "  校验 → preview (read, validate, match)",
            f"{check:.2f} s",
            f"{ROWS / check:,.0f} rows/s",
            f"{check / floor:.2f} × floor",
        ),
        (
            "  确认 → loaded (re-validate, write all)",
            f"{load:.2f} s",
            f"{ROWS / load:,.0f} rows/s",
            f"{load / floor:.2f} × floor",
        ),
        (
            "  upload to loaded, both steps",
            f"{total:.2f} s",
            f"{ROWS / total:,.0f} rows/s",
            f"{total / floor:.2f} × floor",
        ),
    ]
