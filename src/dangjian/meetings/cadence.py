"""Cadence (会议频次): how often each kind of meeting is required, and which organizations
missed what in a period. Meeting services call `meetings_changed` after any write that can
change what was held when (status, date, kind, organization).

The requirements (`REQUIREMENTS`) name a meeting kind, the rule value giving its frequency, the
unit of that frequency (month, quarter, year) and the organization kinds that owe it. The
tally (`CadenceTally`, one row per organization and year) keeps, per kind, a 12-bit mask of
the months with at least one held meeting and the year's count, next to the months the
organization existed throughout (`alive`) and, for branches, the months it had a committee
(`board`). The compliance of a subtree over a period is then one scan over its rows
(`selectors`: `compliance`, `missed_page`).

Judging a period (documented simplifications, docs/zh/meetings-cadence.md):
- an organization owes a month, quarter or year only if it existed throughout it (成立或撤销
  当期不计): a branch founded in May owes nothing for the second quarter;
- the rule value in force on the first day of the month, quarter or year applies; 0 means
  not required; a monthly or quarterly value counts as "at least once";
- 支委会 is owed in a month by a branch that had at least `cadence.committee_min_full_members`
  正式党员 on the month's first day (a branch with fewer has no committee); the tally reads
  it when the row is recomputed (any meeting write, any change to the organization, and the
  nightly `refresh_year` of the current year);
- a month, quarter or year not yet over is "in progress": a held meeting counts as met, none
  yet is not a miss; periods that have not begun are not owed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, Count, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Substr

from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.exceptions import DomainError
from dangjian.core.models import RuleBook, RuleMissing
from dangjian.core.paths import subtree_q
from dangjian.meetings.models import CadenceTally, Meeting, MeetingKind, MeetingPlan
from dangjian.members.choices import MemberCategory
from dangjian.members.models import MemberSpell
from dangjian.orgs.models import BRANCH_KINDS, COMMITTEE_KINDS, Organization, OrgKind

ALL_MONTHS = 0xFFF
MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
COUNT_CAP = 32767  # smallint


@dataclass(frozen=True)
class Requirement:
    """会议频次要求: a kind of meeting owed by some kinds of organization, per unit."""

    kind: str
    rule: str
    unit: str  # MONTH, QUARTER or YEAR
    org_kinds: frozenset[str]
    needs_board: bool = False  # 支委会: only branches with a committee

    @property
    def label(self) -> str:
        return str(MeetingKind(self.kind).label)

    @property
    def column(self) -> str:
        return self.kind

    @property
    def verb(self) -> str:
        return "未开展" if self.kind in (MeetingKind.THEME_DAY, MeetingKind.LECTURE) else "未召开"


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(MeetingKind.GENERAL, "cadence.general_per_quarter", QUARTER, BRANCH_KINDS),
    Requirement(MeetingKind.COMMITTEE, "cadence.committee_per_month", MONTH, BRANCH_KINDS, True),
    Requirement(MeetingKind.GROUP, "cadence.group_per_month", MONTH, frozenset({OrgKind.GROUP})),
    Requirement(MeetingKind.LECTURE, "cadence.lecture_per_quarter", QUARTER, BRANCH_KINDS),
    Requirement(MeetingKind.THEME_DAY, "cadence.theme_day_per_month", MONTH, BRANCH_KINDS),
    Requirement(MeetingKind.LIFE, "cadence.life_per_year", YEAR, BRANCH_KINDS),
    Requirement(MeetingKind.LEADERSHIP, "cadence.leadership_per_year", YEAR, COMMITTEE_KINDS),
)
WIDTH = {MONTH: 12, QUARTER: 4, YEAR: 1}
# Where each requirement's bits sit in CadenceTally.owed / .gaps (46 of 63 bits).
OFFSET: dict[str, int] = {}
for _req in REQUIREMENTS:
    OFFSET[_req.kind] = sum(WIDTH[r.unit] for r in REQUIREMENTS[: REQUIREMENTS.index(_req)])
BOARD_RULE = "cadence.committee_min_full_members"
RULE_KEYS = (*(r.rule for r in REQUIREMENTS), BOARD_RULE)
# Organizations that owe something: the tally keeps rows for these kinds only.
OWING_KINDS: frozenset[str] = frozenset().union(*(r.org_kinds for r in REQUIREMENTS))
KINDS = tuple(r.kind for r in REQUIREMENTS)


def rules() -> RuleBook:
    return RuleBook(*RULE_KEYS)


def rule_or_zero(book: RuleBook, key: str, on: dt.date) -> int:
    """A frequency in force on `on`; none in force (before the 2018 条例) means not required."""
    try:
        return int(book.value(key, on))
    except RuleMissing:
        return 0


# ---- months and periods -------------------------------------------------------------------------


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def bit(month: int) -> int:
    return 1 << (month - 1)


def months_mask(first: int, last: int) -> int:
    return sum(bit(m) for m in range(first, last + 1))


def alive_mask(founded: dt.date | None, dissolved: dt.date | None, year: int) -> int:
    """The months of `year` the organization existed throughout (dissolved_on: first day gone)."""
    mask = 0
    for m in range(1, 13):
        starts, ends = dt.date(year, m, 1), month_end(year, m)
        if (founded is None or founded <= starts) and (dissolved is None or dissolved > ends):
            mask |= bit(m)
    return mask


@dataclass(frozen=True)
class Period:
    """统计期间: a month, a quarter or a year."""

    year: int
    unit: str
    index: int = 0  # month 1–12, quarter 1–4, 0 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026", "2026-Q3" or "2026-08"; ValueError otherwise."""
        text = text.strip().upper()
        if len(text) == 4:
            return cls(int(text), YEAR)
        year, _, rest = text.partition("-")
        if rest.startswith("Q") and rest[1:] in ("1", "2", "3", "4"):
            return cls(int(year), QUARTER, int(rest[1:]))
        month = int(rest)
        if not 1 <= month <= 12 or len(year) != 4:
            raise ValueError(text)
        return cls(int(year), MONTH, month)

    @classmethod
    def quarter_of(cls, day: dt.date) -> Period:
        return cls(day.year, QUARTER, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        if self.unit == YEAR:
            return f"{self.year}"
        if self.unit == QUARTER:
            return f"{self.year}-Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    @property
    def first_month(self) -> int:
        return {YEAR: 1, QUARTER: 3 * self.index - 2, MONTH: self.index}[self.unit]

    @property
    def last_month(self) -> int:
        return {YEAR: 12, QUARTER: 3 * self.index, MONTH: self.index}[self.unit]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        return month_end(self.year, self.last_month)

    @property
    def mask(self) -> int:
        return months_mask(self.first_month, self.last_month)

    @property
    def label(self) -> str:
        if self.unit == YEAR:
            return f"{self.year}年"
        if self.unit == QUARTER:
            return f"{self.year}年第{self.index}季度"
        return f"{self.year}年{self.index}月"

    @property
    def short_label(self) -> str:
        return {YEAR: f"{self.year}年", QUARTER: f"第{self.index}季度", MONTH: f"{self.index}月"}[
            self.unit
        ]

    def parts(self, unit: str) -> list[Period]:
        """The whole months, quarters or the year inside this period (none if coarser)."""
        order = (MONTH, QUARTER, YEAR)
        if order.index(unit) > order.index(self.unit):
            return []
        if unit == YEAR:
            return [self]
        if unit == QUARTER:
            first = (self.first_month - 1) // 3 + 1
            return [Period(self.year, QUARTER, q) for q in range(first, self.last_month // 3 + 1)]
        return [Period(self.year, MONTH, m) for m in range(self.first_month, self.last_month + 1)]


@dataclass(frozen=True)
class Slot:
    """One month, quarter or year that a requirement asks a meeting for, within the period."""

    period: Period
    value: int  # the rule value in force on the slot's first day
    ended: bool  # over before today; otherwise in progress


def slot_bit(req: Requirement, part: Period) -> int:
    """The bit of `part` (a month, quarter or year of `req`'s unit) in owed / gaps."""
    return 1 << (OFFSET[req.kind] + (part.index - 1 if req.unit != YEAR else 0))


def owed_and_gaps(row: CadenceTally) -> tuple[int, int]:
    """What `row`'s organization owes each requirement in its year, and which of those
    periods had no held meeting (a yearly one: fewer than one; higher yearly minimums are
    checked against the count when judging)."""
    owed = gaps = 0
    for req in REQUIREMENTS:
        if row.org_kind not in req.org_kinds:
            continue
        cover = row.alive & (row.board if req.needs_board else ALL_MONTHS)
        held = getattr(row, f"m_{req.column}")
        for part in Period(row.year, YEAR).parts(req.unit):
            mask = part.mask
            if (cover & mask) != mask:
                continue
            owed |= slot_bit(req, part)
            unmet = getattr(row, f"n_{req.column}") < 1 if req.unit == YEAR else not held & mask
            if unmet:
                gaps |= slot_bit(req, part)
    return owed, gaps


def slots(req: Requirement, period: Period, today: dt.date, book: RuleBook) -> list[Slot]:
    """The parts of `period` that `req` is judged on: begun by `today`, with a value ≥ 1."""
    found = []
    for part in period.parts(req.unit):
        if part.start > today:
            continue
        value = rule_or_zero(book, req.rule, part.start)
        if value >= 1:
            found.append(Slot(part, value, part.end < today))
    return found


# ---- keeping the tally --------------------------------------------------------------------------


def meetings_changed(org_id: int, years: Iterable[int]) -> None:
    """Bring the cadence tally of `org_id` for `years` up to date (idempotent; call it in the
    meeting write's transaction)."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return
    for year in sorted(set(years)):
        sync_rows([org], year)


def _held(org_ids: Sequence[int], year: int) -> dict[tuple[int, str], tuple[int, int]]:
    """(org, kind) → (month mask, count) of the meetings held in `year`."""
    rows = (
        Meeting.objects.filter(
            org_id__in=org_ids,
            status=Meeting.Status.HELD,
            date__gte=dt.date(year, 1, 1),
            date__lte=dt.date(year, 12, 31),
        )
        .values_list("org_id", "kind", "date__month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    held: dict[tuple[int, str], tuple[int, int]] = {}
    for org_id, kind, month, n in rows:
        mask, count = held.get((org_id, kind), (0, 0))
        held[(org_id, kind)] = (mask | bit(month), min(COUNT_CAP, count + n))
    return held


def _boards(orgs: Sequence[Organization], year: int, book: RuleBook) -> dict[int, int]:
    """Branch → the months it had a committee (正式党员 on the 1st ≥ the rule value)."""
    branches = [o.pk for o in orgs if o.kind in BRANCH_KINDS]
    if not branches:
        return {}
    spells = MemberSpell.objects.filter(
        org_id__in=branches,
        category=MemberCategory.FULL,
        valid_from__lte=dt.date(year, 12, 1),
    ).exclude(valid_to__lte=dt.date(year, 1, 1))
    firsts = [dt.date(year, m, 1) for m in range(1, 13)]
    counts: dict[int, list[int]] = {pk: [0] * 12 for pk in branches}
    for org_id, start, end in spells.values_list("org_id", "valid_from", "valid_to"):
        row = counts[org_id]
        for i, first in enumerate(firsts):
            if start <= first and (end is None or end > first):
                row[i] += 1
    boards = {}
    for pk, row in counts.items():
        mask = 0
        for i, first in enumerate(firsts):
            need = rule_or_zero(book, BOARD_RULE, first)
            if need and row[i] >= need:
                mask |= 1 << i
        boards[pk] = mask
    return boards


def compute_rows(orgs: Sequence[Organization], year: int, book: RuleBook) -> list[CadenceTally]:
    """The tally rows `orgs` should have for `year`, from the meetings and the organizations."""
    owing = [o for o in orgs if o.kind in OWING_KINDS]
    held = _held([o.pk for o in owing], year)
    boards = _boards(owing, year, book)
    rows = []
    for org in owing:
        row = CadenceTally(
            org_id=org.pk,
            org_path=org.path,
            org_kind=org.kind,
            year=year,
            alive=alive_mask(org.founded_on, org.dissolved_on, year),
            board=boards.get(org.pk, 0),
        )
        for kind in KINDS:
            mask, count = held.get((org.pk, kind), (0, 0))
            setattr(row, f"m_{kind}", mask)
            setattr(row, f"n_{kind}", count)
        row.owed, row.gaps = owed_and_gaps(row)
        rows.append(row)
    return rows


FIELDS = (
    "org_path",
    "org_kind",
    "alive",
    "board",
    *(f"{p}_{k}" for k in KINDS for p in "mn"),
    "owed",
    "gaps",
)


def _same(a: CadenceTally, b: CadenceTally) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in FIELDS)


def sync_rows(orgs: Sequence[Organization], year: int, book: RuleBook | None = None) -> int:
    """Make the stored rows of `orgs` for `year` equal to a fresh count; returns how many
    rows it wrote or removed (0 when all were right: safe to call twice)."""
    book = book or rules()
    wanted = {r.org_id: r for r in compute_rows(orgs, year, book)}
    with transaction.atomic():
        stored = {
            r.org_id: r
            for r in CadenceTally.objects.select_for_update().filter(
                org_id__in=[o.pk for o in orgs], year=year
            )
        }
        stale = [pk for pk in stored if pk not in wanted]
        CadenceTally.objects.filter(org_id__in=stale, year=year).delete()
        changed = []
        for pk, row in wanted.items():
            old = stored.get(pk)
            if old is not None and not _same(old, row):
                row.pk = old.pk
                changed.append(row)
        CadenceTally.objects.bulk_update(changed, FIELDS, batch_size=1000)
        new = [row for pk, row in wanted.items() if pk not in stored]
        CadenceTally.objects.bulk_create(new, batch_size=1000)
    return len(stale) + len(changed) + len(new)


def _orgs_in(year: int) -> QuerySet[Organization]:
    """Organizations of the kinds that owe meetings which existed at some time in `year`."""
    return (
        Organization.objects.filter(kind__in=OWING_KINDS)
        .exclude(founded_on__gt=dt.date(year, 12, 31))
        .exclude(dissolved_on__lte=dt.date(year, 1, 1))
        .order_by("path")
    )


def _chunks(orgs: QuerySet[Organization], size: int = 2000) -> Iterator[list[Organization]]:
    chunk: list[Organization] = []
    for org in orgs.only("pk", "path", "kind", "founded_on", "dissolved_on").iterator(size):
        chunk.append(org)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def refresh_year(year: int, under: Organization | None = None) -> int:
    """Recount every row of `year` (under a subtree), adding the organizations that have none
    and dropping rows of organizations that no longer owe anything; returns rows written."""
    book = rules()
    orgs = _orgs_in(year)
    rows = CadenceTally.objects.filter(year=year)
    if under is not None:
        orgs = orgs.filter(subtree_q("path", under.path))
        rows = rows.filter(subtree_q("org_path", under.path))
    written = sum(sync_rows(chunk, year, book) for chunk in _chunks(orgs))
    extra = rows.exclude(org__in=orgs)
    return written + extra.delete()[0]


def refresh_current_year() -> None:
    """Nightly (meetings.schedules): committees follow their members' changes, new
    organizations get their row; idempotent."""
    from dangjian.core.dates import today

    refresh_year(today().year)


def check_cadence_tally(years: Iterable[int], under: Organization | None = None) -> list[str]:
    """Recount the tally from the meetings and the organizations; one line per difference
    (empty: the tally is right), like `stats.checks.check_stats`."""
    book = rules()
    problems = []
    for year in years:
        stored_q = CadenceTally.objects.filter(year=year)
        orgs = _orgs_in(year)
        if under is not None:
            stored_q = stored_q.filter(subtree_q("org_path", under.path))
            orgs = orgs.filter(subtree_q("path", under.path))
        stored = {r.org_id: r for r in stored_q}
        seen = set()
        for chunk in _chunks(orgs):
            for row in compute_rows(chunk, year, book):
                seen.add(row.org_id)
                old = stored.get(row.org_id)
                if old is None:
                    problems.append(f"{year} 年 {row.org_path}：缺少台账行")
                elif not _same(old, row):
                    diff = [f for f in FIELDS if getattr(old, f) != getattr(row, f)]
                    problems.append(f"{year} 年 {row.org_path}：{'、'.join(diff)} 不一致")
        problems += [
            f"{year} 年 {r.org_path}：多余的台账行" for pk, r in stored.items() if pk not in seen
        ]
    return problems


# ---- following the tree (members.watch) ---------------------------------------------------------


def repath(old_prefix: str, new_prefix: str) -> None:
    """A subtree moved: rewrite the paths copied onto the tally, the plans and the meetings
    (one UPDATE each; running it twice finds nothing left under the old prefix)."""
    cut = len(old_prefix) + 1
    for model in (CadenceTally, MeetingPlan, Meeting):
        model.objects.filter(subtree_q("org_path", old_prefix)).update(
            org_path=Concat(Value(new_prefix), Substr("org_path", cut))
        )


class TallyWatcher:
    """members.watch → the cadence tally: subtree moves carry the paths; an organization
    created, re-kinded, re-dated or closed is recounted for its years."""

    def before(self, ids: list[int]) -> None:
        return None

    def after(self, ids: list[int], token: None) -> None:
        """Member changes reach the committees' months through the nightly refresh."""

    def created(self, ids: list[int], facts: Any) -> None:
        """A new member changes no meeting."""

    def changed(self, member_id: int, before: Any, after: Any) -> None:
        """See `after`."""

    def tree_changed(self, old_prefix: str, new_prefix: str) -> None:
        repath(old_prefix, new_prefix)

    def orgs_changed(self, pairs: list[tuple[Any, Any]]) -> None:
        # OrgFacts: (path, kind, founded_on, dissolved_on, term_end); a path alone moved
        # with tree_changed.
        paths = [a[0] for b, a in pairs if a is not None and (b is None or b[1:4] != a[1:4])]
        if not paths:
            return
        from dangjian.core.dates import today

        orgs = list(Organization.objects.filter(path__in=paths))
        years = set(CadenceTally.objects.filter(org__in=orgs).values_list("year", flat=True)) | {
            today().year
        }
        book = rules()
        for year in sorted(years):
            sync_rows(orgs, year, book)


# ---- judging (selectors) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Conditions:
    """SQL conditions over a tally row for one requirement in one period (literals only: every
    number comes from the period and the rules, never from a request)."""

    owes: str
    missed: str
    pending: str  # not met in a slot in progress (may also have missed another)
    ended_bits: int  # the slots over, when `missed` is a plain test of `gaps` (else 0)


NEVER = "1 = 0"


def _test(column: str, bits: int) -> str:
    return f"({column} & {bits}) <> 0" if bits else NEVER


def _conditions(req: Requirement, parts: list[Slot]) -> Conditions | None:
    """One AND per condition on the precomputed `owed` / `gaps` bits; a yearly minimum above
    one also reads the year's count."""
    if not parts:
        return None
    every = sum(slot_bit(req, s.period) for s in parts)
    ended = sum(slot_bit(req, s.period) for s in parts if s.ended)
    current = every - ended
    high = max(s.value for s in parts)
    if req.unit == YEAR and high > 1:
        count = f"n_{req.column} < {high}"
        return Conditions(
            owes=_test("owed", every),
            missed=f"({_test('owed', ended)} AND {count})",
            pending=f"({_test('owed', current)} AND {count})",
            ended_bits=0,
        )
    return Conditions(
        owes=_test("owed", every),
        missed=_test("gaps", ended),
        pending=_test("gaps", current),
        ended_bits=ended,
    )


def _bool(sql: str) -> RawSQL:
    return RawSQL(sql, (), output_field=BooleanField())


@dataclass(frozen=True)
class RequirementCount:
    """One requirement's line on the compliance view."""

    requirement: Requirement
    owing: int  # 应开展的组织数
    met: int  # 已达到
    missed: int  # 未达到 (a whole month, quarter or year over without the meeting)
    pending: int  # 进行中 (the current month or quarter, not yet held)
    rule_values: list[int]

    @property
    def label(self) -> str:
        return self.requirement.label


@dataclass(frozen=True)
class Compliance:
    """会议频次落实情况: a subtree's counts for a period."""

    org: Organization
    period: Period
    today: dt.date
    lines: list[RequirementCount]
    orgs_missing: int  # organizations that missed at least one requirement
    conditions: dict[str, Conditions] = field(repr=False, default_factory=dict)


def tally_under(org: Organization, year: int) -> QuerySet[CadenceTally]:
    """The tally rows of `org`'s subtree for `year`: the (year, org_path) index's range."""
    return CadenceTally.objects.filter(subtree_q("org_path", org.path), year=year)


def _all_conditions(
    period: Period, today: dt.date, book: RuleBook
) -> tuple[dict[str, Conditions], dict[str, list[Slot]]]:
    conds, parts = {}, {}
    for req in REQUIREMENTS:
        found = slots(req, period, today, book)
        cond = _conditions(req, found)
        if cond is not None:
            conds[req.kind], parts[req.kind] = cond, found
    return conds, parts


def compliance(org: Organization, period: Period, today: dt.date) -> Compliance:
    """Per requirement: how many organizations of the subtree owe it in `period`, met it,
    missed it, or are still in its current month/quarter; one aggregate over the tally."""
    book = rules()
    conds, parts = _all_conditions(period, today, book)
    aggregates: dict[str, Any] = {}

    def count(name: str, condition: str) -> None:
        if condition != NEVER:  # nothing to count: no column to compute
            aggregates[name] = Count(Value(1), filter=_bool(condition))

    for kind, c in conds.items():
        count(f"{kind}__owes", c.owes)
        count(f"{kind}__missed", c.missed)
        if c.pending != NEVER:
            count(f"{kind}__pending", f"({c.pending} AND NOT {c.missed})")
    if conds:
        count("any__missed", _any_missed(conds))
    counts = tally_under(org, period.year).aggregate(**aggregates) if aggregates else {}
    lines = []
    for req in REQUIREMENTS:
        if req.kind not in conds:
            continue
        owes, missed = counts.get(f"{req.kind}__owes", 0), counts.get(f"{req.kind}__missed", 0)
        pending = counts.get(f"{req.kind}__pending", 0)
        values = sorted({s.value for s in parts[req.kind]})
        lines.append(RequirementCount(req, owes, owes - missed - pending, missed, pending, values))
    return Compliance(org, period, today, lines, counts.get("any__missed", 0), conds)


def _any_missed(conds: dict[str, Conditions]) -> str:
    """Missed any requirement: one AND over `gaps` (plus the yearly counts above one)."""
    plain = sum(c.ended_bits for c in conds.values())
    rest = [c.missed for c in conds.values() if not c.ended_bits and c.missed != NEVER]
    tests = [t for t in (_test("gaps", plain), *rest) if t != NEVER]
    return "(" + " OR ".join(tests) + ")" if tests else NEVER


@dataclass(frozen=True)
class MissedOrg:
    """An organization that missed something in the period, and what, in words."""

    org: Organization
    missed: list[str]


def missed_page(info: Compliance, start: int, size: int, kind: str = "") -> list[MissedOrg]:
    """One page of the organizations that missed something (or one requirement), in tree
    order: the ids from the tally alone, then their names and what they missed."""
    conds = info.conditions
    if kind and kind not in conds:
        return []
    where = conds[kind].missed if kind else (_any_missed(conds) if conds else NEVER)
    rows = list(
        tally_under(info.org, info.period.year)
        .filter(_bool(where))
        .order_by("org_path")[start : start + size]
    )
    orgs = Organization.objects.in_bulk([r.org_id for r in rows])
    found = requirement_slots(info.period, info.today, rules())
    return [MissedOrg(orgs[r.org_id], describe_missed(r, info.period, found)) for r in rows]


def requirement_slots(
    period: Period, today: dt.date, book: RuleBook
) -> list[tuple[Requirement, list[Slot]]]:
    return [(req, slots(req, period, today, book)) for req in REQUIREMENTS]


def missed_count(info: Compliance, kind: str = "") -> int:
    if not kind:
        return info.orgs_missing
    return next((line.missed for line in info.lines if line.requirement.kind == kind), 0)


# ---- one organization, in words -----------------------------------------------------------------


@dataclass(frozen=True)
class SlotState:
    slot: Slot
    owed: bool
    met: bool

    @property
    def state(self) -> str:
        if not self.owed:
            return "不计"
        if self.met:
            return "已达到"
        return "未达到" if self.slot.ended else "进行中"


def judge(row: CadenceTally, req: Requirement, found: list[Slot]) -> list[SlotState]:
    """Each slot of `req` for the organization of `row`: owed, and met (from the row)."""
    if row.org_kind not in req.org_kinds:
        return []
    states = []
    for s in found:
        mask = s.period.mask
        cover = row.alive & (row.board if req.needs_board else ALL_MONTHS)
        owed = bool(cover & mask) if req.unit == MONTH else cover & mask == mask
        if req.unit == YEAR:
            met = getattr(row, f"n_{req.column}") >= s.value
        else:
            met = bool(getattr(row, f"m_{req.column}") & mask)
        states.append(SlotState(s, owed, met))
    return states


def describe_missed(
    row: CadenceTally, period: Period, found: list[tuple[Requirement, list[Slot]]]
) -> list[str]:
    """ "2026年第3季度未召开支部党员大会", "2026年8月、9月未开展主题党日"."""
    lines = []
    for req, parts in found:
        missed = [s.slot for s in judge(row, req, parts) if s.state == "未达到"]
        if not missed:
            continue
        if req.unit == YEAR:
            s = missed[0]
            held = getattr(row, f"n_{req.column}")
            short = f"（应至少{s.value}次，已召开{held}次）" if s.value > 1 else ""
            lines.append(f"{s.period.label}{req.verb}{req.label}{short}")
        else:
            names = "、".join(s.period.short_label for s in missed)
            lines.append(f"{period.year}年{names}{req.verb}{req.label}")
    return lines


@dataclass(frozen=True)
class OrgRequirement:
    requirement: Requirement
    slots: list[SlotState]
    meetings: list[Meeting]


def org_cadence(org: Organization, period: Period, today: dt.date) -> list[OrgRequirement]:
    """The per-organization view: each requirement its organization kind owes, with its
    months/quarters judged and the meetings held of that kind in the period (counted live
    from the meetings, not from the tally)."""
    book = rules()
    computed = compute_rows([org], period.year, book)
    if not computed:
        return []
    row = computed[0]
    held = Meeting.objects.filter(
        org=org, status=Meeting.Status.HELD, date__gte=period.start, date__lte=period.end
    ).order_by("date", "pk")
    by_kind: dict[str, list[Meeting]] = {}
    for meeting in held:
        by_kind.setdefault(meeting.kind, []).append(meeting)
    found = []
    for req in REQUIREMENTS:
        if org.kind not in req.org_kinds:
            continue
        found.append(
            OrgRequirement(
                req, judge(row, req, slots(req, period, today, book)), by_kind.get(req.kind, [])
            )
        )
    return found


# ---- export -------------------------------------------------------------------------------------

EXPORT_COMPLIANCE = register_action("meetings.export_compliance", "导出会议频次落实情况")


def export_compliance(*, actor: Any, org: Organization, period: Period, today: dt.date) -> bytes:
    """导出会议频次落实情况 (.xlsx): the counts per requirement, then every organization that
    missed something with what it missed; audited. Organization names only, no members."""
    import io

    from openpyxl import Workbook

    from dangjian.accounts.abilities import Ability
    from dangjian.accounts.scope import scope_for
    from dangjian.core.actors import actor_user
    from dangjian.core.spreadsheet import text_cell

    if actor_user(actor) is not None and not scope_for(actor).can(Ability.VIEW_MEMBERS, org.path):
        raise DomainError("您没有查看该组织会议情况的权限。")
    info = compliance(org, period, today)
    book = Workbook(write_only=True)
    counts = book.create_sheet("落实情况")
    counts.append([f"{org.name} {period.label} 会议频次落实情况（截至 {today:%Y-%m-%d}）"])
    counts.append(["会议类型", "应开展的组织数", "已达到", "未达到", "进行中"])
    for line in info.lines:
        counts.append([line.label, line.owing, line.met, line.missed, line.pending])
    missed = book.create_sheet("未达到的组织")
    missed.append(["党组织", "未达到的要求"])
    rows = 0
    for start in range(0, info.orgs_missing, 1000):
        for found in missed_page(info, start, 1000):
            missed.append([text_cell(missed, found.org.name), "；".join(found.missed)])
            rows += 1
    record_audit(
        EXPORT_COMPLIANCE,
        actor=actor,
        target=org,
        detail={"期间": period.label, "行数": rows},
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
