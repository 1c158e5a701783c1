"""From a roster table to an import plan: every row validated, matched and classified.

A row becomes one of: 新增 (a new member), 修改 (an existing member whose basic data differ),
无变化, or errors naming the sheet, row, column, value and problem. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from openpyxl.utils import get_column_letter

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.core.crypto import lookup_hash
from dangjian.core.exceptions import DomainError
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.models import RuleBook
from dangjian.members.choices import MemberCategory, MemberStatus
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import (
    PERSONAL_FIELDS,
    REGISTRATION_RULES,
    Admission,
    MemberData,
    check_event,
    check_registration,
)
from dangjian.orgs.models import Organization
from dangjian.rosters import parsing as p
from dangjian.rosters.columns import (
    BY_KEY,
    CATEGORY_WORDS,
    EDUCATION_WORDS,
    ETHNICITY_WORDS,
    GENDER_WORDS,
    PERSON_CATEGORY_WORDS,
    STATUS_WORDS,
    normalize_header,
)
from dangjian.rosters.reader import Table

Progress = Callable[[int, int], None]
ERRORS_KEPT = 1000  # the preview lists this many; the count covers all
SAMPLES_KEPT = 200
FORMULA_HINT = "（该单元格可能是没有保存计算结果的公式：请在 Excel/WPS 中打开、保存后再导入）"
FORMULA_ERROR = "单元格是公式错误值（如 #REF!、#N/A），请在 Excel/WPS 中修正公式或改填数值。"
# Membership facts an import may not change: they change through events (党籍变动).
FACT_FIELDS = {"join_date": "入党日期", "full_date": "转正日期"}
FIELD_LABELS = {
    f.name: str(f.verbose_name) for f in Member._meta.fields if f.name in PERSONAL_FIELDS
}
FIELD_CHOICES = {f.name: dict(f.choices or []) for f in Member._meta.fields}


@dataclass
class RowError:
    sheet: str
    row: int
    column: str  # "D 列「公民身份号码」", or "" for the row as a whole
    value: str
    message: str


@dataclass
class ParsedRow:
    row: int
    data: MemberData
    join_date: dt.date
    full_date: dt.date | None
    category: str
    org: Organization | None  # None: the cell was blank
    status: str | None
    id_hash: str = ""


@dataclass
class PlannedRow:
    row: int
    action: str  # "add" | "update" | "same"
    parsed: ParsedRow
    member_id: int | None = None
    version: int = 0
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    convert_on: dt.date | None = None


@dataclass
class Plan:
    table: Table
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_rows: set[int] = field(default_factory=set)
    absent: int = 0

    def of(self, action: str) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == action]

    def digest(self) -> str:
        """What confirming would do, as a fingerprint: compared again at confirmation."""
        body = [
            (r.row, r.action, r.parsed.id_hash, r.version, sorted(r.changes), str(r.convert_on))
            for r in self.rows
            if r.action != "same"
        ]
        return hashlib.sha256(json.dumps(body, default=str).encode()).hexdigest()

    def summary(self) -> dict[str, Any]:
        adds, updates = self.of("add"), self.of("update")
        return {
            "sheet": self.table.sheet,
            "header_row": self.table.header_row,
            "headers": self.table.headers,
            "ignored_headers": self.table.ignored,
            "counts": {
                "rows": len(self.table.rows),
                "add": len(adds),
                "update": len(updates),
                "convert": sum(1 for r in updates if r.convert_on),
                "same": len(self.of("same")),
                "error_rows": len(self.error_rows),
                "errors": len(self.errors),
            },
            "absent": self.absent,
            "errors": [e.__dict__ for e in self.errors[:ERRORS_KEPT]],
            "adds": [_sample(r) for r in adds[:SAMPLES_KEPT]],
            "updates": [_sample(r) for r in updates[:SAMPLES_KEPT]],
            "digest": self.digest(),
        }


def _sample(r: PlannedRow) -> dict[str, Any]:
    data = r.parsed.data
    changes = {
        FIELD_LABELS.get(k, k): [_shown(k, a), _shown(k, b)] for k, (a, b) in r.changes.items()
    }
    if r.convert_on:
        changes["转为正式党员"] = ["预备党员", f"{r.convert_on:%Y-%m-%d} 转正"]
    return {
        "row": r.row,
        "name": data.name,
        "id_masked": mask_id_number(data.id_number),
        "org": r.parsed.org.name if r.parsed.org else "",
        "changes": changes,
    }


def _shown(key: str, value: Any) -> str:
    if value in (None, ""):
        return "（空）"
    if key == "phone":
        return mask_phone(str(value))
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(FIELD_CHOICES.get(key, {}).get(value, value))


class OrgResolver:
    """所在党组织 names and codes → organizations of the import's subtree."""

    def __init__(self, target: Organization) -> None:
        self.target = target
        self.by_name: dict[str, list[Organization]] = {}
        self.by_code: dict[str, Organization] = {}
        for org in Organization.objects.under(target).active():
            if org.holds_members:
                self.by_name.setdefault(normalize_header(org.name), []).append(org)
                if org.short_name:
                    self.by_name.setdefault(normalize_header(org.short_name), []).append(org)
                self.by_code[org.code] = org

    def resolve(self, name: str, code: str) -> Organization | None:
        if code:
            if code not in self.by_code:
                raise p.CellProblem(f"党组织代码「{code}」不在「{self.target.name}」范围内。")
            return self.by_code[code]
        if not name:
            return None
        found = self.by_name.get(normalize_header(name), [])
        if not found:
            raise p.CellProblem(
                f"「{self.target.name}」下没有名为「{name}」的党组织（须与系统中的名称一致）。"
            )
        if len(found) > 1:
            raise p.CellProblem(
                f"「{name}」在所选范围内有 {len(found)} 个同名党组织，请填写党组织代码。"
            )
        return found[0]


def _choice(words: dict[str, str], label: str, hint: str) -> Callable[[p.Cell], str]:
    return partial(p.parse_choice, words=words, label=label, hint=hint)


def _date(label: str) -> Callable[[p.Cell], dt.date]:
    return partial(p.parse_date, label=label)


# Column key → how a cell of it is read. The org columns are resolved separately (database).
PARSERS: dict[str, Callable[[p.Cell], Any]] = {
    "name": p.parse_name,
    "id_number": p.parse_id_number,
    "gender": _choice(GENDER_WORDS, "性别", "请填「男」或「女」。"),
    "ethnicity": _choice(ETHNICITY_WORDS, "民族", "请填写民族全称，如「汉族」。"),
    "birth_date": _date("出生日期"),
    "education": _choice(
        EDUCATION_WORDS, "学历", "可选：研究生、大学本科、大学专科、中等专科、高中、初中及以下。"
    ),
    "person_category": _choice(PERSON_CATEGORY_WORDS, "人员类别", "请从模板的下拉列表中选择。"),
    "join_date": _date("入党日期"),
    "full_date": _date("转正日期"),
    "category": _choice(CATEGORY_WORDS, "党员类别", "请填「正式党员」或「预备党员」。"),
    "status": _choice(STATUS_WORDS, "党籍状态", ""),
    "phone": p.parse_phone,
    "native_place": partial(p.parse_short_text, label="籍贯", limit=50),
    "work_unit_post": partial(p.parse_short_text, label="工作单位及职务", limit=100),
}
PERSONAL_TEXT = (
    "name",
    "gender",
    "ethnicity",
    "education",
    "person_category",
    "native_place",
    "work_unit_post",
    "phone",
)


class RowReader:
    """Reads one data row into a ParsedRow, collecting every cell's problem."""

    def __init__(self, table: Table, resolver: OrgResolver) -> None:
        self.table, self.resolver = table, resolver
        self.errors: list[RowError] = []

    def cell(self, row: list[p.Cell], key: str) -> p.Cell:
        position = self.table.columns.get(key)
        if position is None or position >= len(row):
            return None
        return row[position]

    def error(self, number: int, key: str | None, value: p.Cell, message: str) -> None:
        where = ""
        if key is not None and key in self.table.columns:
            letter = get_column_letter(self.table.columns[key] + 1)
            where = f"{letter} 列「{self.table.headers[key]}」"
        elif key is not None:
            where = f"「{BY_KEY[key].header}」"
        self.errors.append(RowError(self.table.sheet, number, where, _safe(key, value), message))

    def get(self, number: int, row: list[p.Cell], key: str, parse: Callable[[p.Cell], Any]) -> Any:
        value = self.cell(row, key)
        if (number, self.table.columns.get(key)) in self.table.error_cells:
            self.error(number, key, "", FORMULA_ERROR)
            return None
        if p.is_blank(value):
            if BY_KEY[key].required:
                hint = FORMULA_HINT if self.table.formulas else ""
                self.error(number, key, value, f"「{BY_KEY[key].header}」不能为空。{hint}")
            return None
        try:
            return parse(value)
        except DomainError as exc:
            self.error(number, key, value, exc.message)
            return None

    def read(self, number: int, row: list[p.Cell]) -> ParsedRow | None:
        before = len(self.errors)
        v = {key: self.get(number, row, key, parse) for key, parse in PARSERS.items()}
        org = self._org(number, row)
        if len(self.errors) > before:
            return None
        birth = v["birth_date"] or _birth_from_id(v["id_number"])
        category = self._category(number, v["category"], v["full_date"])
        if category is None:
            return None
        texts: dict[str, Any] = {f: v[f] or "" for f in PERSONAL_TEXT}
        data = MemberData(
            **texts,
            birth_date=birth,
            id_number=v["id_number"],
        )
        return ParsedRow(
            number,
            data,
            v["join_date"],
            v["full_date"],
            category,
            org,
            v["status"],
            lookup_hash(v["id_number"]),
        )

    def _org(self, number: int, row: list[p.Cell]) -> Organization | None:
        name_cell, code_cell = self.cell(row, "org"), self.cell(row, "org_code")
        try:
            return self.resolver.resolve(p.text(name_cell), p.text(code_cell))
        except DomainError as exc:
            key = "org_code" if not p.is_blank(code_cell) else "org"
            self.error(number, key, code_cell if key == "org_code" else name_cell, exc.message)
            return None

    def _category(self, number: int, category: str | None, full: dt.date | None) -> str | None:
        if category is None:
            return MemberCategory.FULL if full else MemberCategory.PROBATIONARY
        if category == MemberCategory.FULL and full is None:
            self.error(number, "full_date", None, "正式党员须填写转正日期。")
            return None
        if category == MemberCategory.PROBATIONARY and full is not None:
            self.error(
                number,
                "full_date",
                full,
                "预备党员不应有转正日期；如已转正，党员类别请填「正式党员」。",
            )
            return None
        return category


def _birth_from_id(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def _safe(key: str | None, value: p.Cell) -> str:
    """The offending value as shown in the preview: ID numbers and phones masked."""
    if value is None:
        return ""
    shown = str(value)
    if isinstance(value, dt.date):
        shown = f"{value:%Y-%m-%d}"
    if key == "id_number":
        return mask_id_number(shown.replace(" ", ""))
    if key == "phone":
        return mask_phone(shown)
    return shown[:60]


def build_plan(
    *,
    actor: Any,
    target: Organization,
    table: Table,
    progress: Progress | None = None,
) -> Plan:
    """Validate every row of `table` and classify it against the registry; writes nothing."""
    if not scope_for(actor).can(Ability.IMPORT_ROSTERS, target.path):
        raise DomainError("所选党组织不在您的管理范围内。")
    plan = Plan(table)
    reader = RowReader(table, OrgResolver(target))
    rules = RuleBook(*REGISTRATION_RULES)
    parsed: list[ParsedRow] = []
    for index, (number, row) in enumerate(table.rows):
        result = reader.read(number, row)
        if result is not None and _admissible(reader, result, target, rules):
            parsed.append(result)
        if progress and index % 5000 == 0:
            progress(index, len(table.rows))
    parsed = _drop_duplicates(reader, parsed)
    _classify(plan, reader, parsed, actor, target)
    plan.errors = sorted(reader.errors, key=lambda e: e.row)
    plan.error_rows = {e.row for e in plan.errors}
    plan.rows = [r for r in plan.rows if r.row not in plan.error_rows]
    plan.absent = _absent(target, {r.parsed.id_hash for r in plan.rows})
    return plan


FIELD_TO_KEY = {
    "name": "name",
    "id_number": "id_number",
    "join_date": "join_date",
    "full_date": "full_date",
    "org": "org",
    "birth_date": "birth_date",
    "gender": "gender",
}


def _admissible(reader: RowReader, row: ParsedRow, target: Organization, rules: RuleBook) -> bool:
    """The registration rules (age at joining, dates in order …) a new member must pass."""
    org = row.org or target
    try:
        check_registration(row.data, Admission(org, row.join_date, row.full_date), rules)
    except DomainError as exc:
        key = FIELD_TO_KEY.get(exc.field or "")
        value = getattr(row, key, None) if key in {"join_date", "full_date"} else ""
        if key == "org" and row.org is None:
            exc.message = (
                f"「所在党组织」为空时导入到「{target.name}」，但它不能直接编入党员，"
                "请填写党支部名称。"
            )
        reader.error(row.row, key, value, exc.message)
        return False
    return True


def _drop_duplicates(reader: RowReader, rows: list[ParsedRow]) -> list[ParsedRow]:
    """The same ID number on two rows: which one is right is the user's call, not ours."""
    seen: dict[str, list[int]] = {}
    for row in rows:
        seen.setdefault(row.id_hash, []).append(row.row)
    for row in rows:
        others = [str(n) for n in seen[row.id_hash] if n != row.row]
        if others:
            reader.error(
                row.row,
                "id_number",
                row.data.id_number,
                f"与第 {'、'.join(others)} 行的公民身份号码重复。",
            )
    return [r for r in rows if len(seen[r.id_hash]) == 1]


EXISTING_FIELDS = (
    "pk",
    "id_hash",
    "version",
    "org_id",
    "org_path",
    "org__name",
    "status",
    "category",
    "join_date",
    "full_date",
    *PERSONAL_FIELDS,
)


def _existing(hashes: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(hashes), 900):
        chunk = hashes[start : start + 900]
        for values in Member.objects.filter(id_hash__in=chunk).values(*EXISTING_FIELDS):
            found[values["id_hash"]] = values
    return found


def _classify(
    plan: Plan, reader: RowReader, rows: list[ParsedRow], actor: Any, target: Organization
) -> None:
    existing = _existing([r.id_hash for r in rows])
    scope = scope_for(actor)
    present = set(reader.table.columns)
    for row in rows:
        current = existing.get(row.id_hash)
        if current is None:
            _plan_add(plan, reader, row)
        elif not current["org_path"].startswith(target.path):
            if scope.can(Ability.IMPORT_ROSTERS, current["org_path"]):
                message = (
                    f"该党员已登记在「{current['org__name']}」，不在本次导入的范围"
                    f"「{target.name}」内；请在其所在组织的范围导入，或办理组织关系调整。"
                )
            else:
                message = (
                    "该公民身份号码已登记在您管理范围以外的党组织，不能重复建档；"
                    "如需转入，请通过组织关系转接办理。"
                )
            reader.error(row.row, "id_number", row.data.id_number, message)
        else:
            _plan_existing(plan, reader, row, current, present)


def _plan_add(plan: Plan, reader: RowReader, row: ParsedRow) -> None:
    if row.status not in (None, MemberStatus.ACTIVE):
        reader.error(
            row.row,
            "status",
            STATUS_LABEL[row.status],
            "新建档的党员党籍状态须为「正常」；已转出、已去世等人员请勿放入导入文件。",
        )
        return
    plan.rows.append(PlannedRow(row.row, "add", row))


STATUS_LABEL = {v: k for k, v in STATUS_WORDS.items()}


def _plan_existing(
    plan: Plan, reader: RowReader, row: ParsedRow, current: dict[str, Any], present: set[str]
) -> None:
    problems = []
    if row.org is not None and row.org.pk != current["org_id"]:
        problems.append(
            (
                "org",
                row.org.name,
                f"与系统登记的所在党组织「{current['org__name']}」不一致；"
                "组织关系调整请在党员档案中登记党籍变动，不能通过导入修改。",
            )
        )
    if row.status is not None and row.status != current["status"]:
        problems.append(
            (
                "status",
                STATUS_LABEL[row.status],
                f"与系统登记的党籍状态「{STATUS_LABEL[current['status']]}」不一致；"
                "党籍变动请在党员档案中登记。",
            )
        )
    for key, label in FACT_FIELDS.items():
        mine, theirs = getattr(row, key), current[key]
        if (
            key == "full_date"
            and theirs is None
            and current["category"] == MemberCategory.PROBATIONARY
        ):
            continue  # a probationary member now converted: recorded as 转正 below
        if key in present and mine != theirs:
            problems.append(
                (
                    key,
                    mine,
                    f"与系统登记的{label}「{_shown(key, theirs)}」不一致；"
                    "请在党员档案中更正党籍变动记录，不能通过导入修改。",
                )
            )
    if current["category"] == MemberCategory.FULL and row.category == MemberCategory.PROBATIONARY:
        problems.append(("category", "预备党员", "系统中该党员已是正式党员，不能改回预备党员。"))
    for key, value, message in problems:
        reader.error(row.row, key, value, message)
    if problems:
        return
    changes = {
        f: (current[f], getattr(row.data, f))
        for f in PERSONAL_FIELDS
        if _in_file(f, present) and current[f] != getattr(row.data, f)
    }
    convert_on = (
        row.full_date
        if current["category"] == MemberCategory.PROBATIONARY and row.full_date
        else None
    )
    if convert_on is not None:
        try:  # the 转正 is recorded through record_event on confirmation: judge it now
            check_event(member_id=current["pk"], kind=MemberEvent.Kind.CONVERT,
                        effective_date=convert_on)  # fmt: skip
        except DomainError as exc:
            reader.error(row.row, "full_date", convert_on, exc.message)
            return
    action = "update" if changes or convert_on else "same"
    plan.rows.append(
        PlannedRow(row.row, action, row, current["pk"], current["version"], changes, convert_on)
    )


def _in_file(field_name: str, present: set[str]) -> bool:
    """A column the file does not have leaves the stored value alone."""
    return field_name in present


def _absent(target: Organization, hashes: set[str]) -> int:
    """Members in the subtree the file does not list (an import never removes anyone)."""
    in_party = Member.objects.under(target).in_party()
    return sum(1 for h in in_party.values_list("id_hash", flat=True).iterator() if h not in hashes)
