"""Member registry operations (党员管理). Every page, API and command writes through these."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from pypinyin import lazy_pinyin

from dangjian.accounts.abilities import Ability
from dangjian.accounts.models import ADMIN_ROLES, RoleGrant
from dangjian.accounts.scope import forget_scope, scope_for
from dangjian.audit.actions import AuditAction, register_action
from dangjian.audit.services import before_after, record_audit
from dangjian.core.actors import actor_user
from dangjian.core.bulk import insert_rows, model_columns
from dangjian.core.crypto import encrypt, lookup_hash
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.masking import mask_id_number
from dangjian.core.models import RuleBook, rule_value
from dangjian.core.paths import subtree_q
from dangjian.members import watch
from dangjian.members.choices import MemberCategory, MemberStatus
from dangjian.members.history import (
    EXTENSION_MAX,
    EXTENSION_MIN,
    PROBATION_MONTHS,
    PROBATION_RULES,
    RuleLookup,
    probation_window,
    replay,
    rule_months,
)
from dangjian.members.idnumber import validate_id_number
from dangjian.members.models import Member, MemberEvent, MemberSpell, PartyProbation
from dangjian.members.selectors import may_edit_member, may_reveal_personal
from dangjian.orgs.models import Organization, OrgKind

Kind = MemberEvent.Kind

REGISTER_MEMBER = register_action("members.register_member", "党员建档")
ADMIT_RECRUIT = register_action("members.admit_recruit", "接收预备党员建档")
UPDATE_MEMBER = register_action("members.update_member", "修改党员信息")
RECORD_EVENT = register_action("members.record_event", "登记党籍变动")
VOID_EVENT = register_action("members.void_event", "作废党籍变动")
REVEAL_SENSITIVE = register_action(
    "members.reveal_sensitive", "查看完整身份证号和电话", tone="sensitive"
)
ASSIGN_GROUP = register_action("members.assign_group", "编入党小组")
VIEW_PARTY_PROBATIONS = register_action(
    "members.party_probations", "查看留党察看记录", tone="sensitive"
)
RECORD_PARTY_PROBATION = register_action("members.record_party_probation", "登记留党察看")
END_PARTY_PROBATION = register_action("members.end_party_probation", "登记留党察看期满")

# Fields of the basic record a form or an import may set directly. Membership state
# (category, status, org, dates) changes only through events.
PERSONAL_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "native_place",
    "work_unit_post",
    "person_category",
    "phone",
)
# What a form or the API may change on an existing record: the above, and the 工作单位 (a
# unit id; kept out of PERSONAL_FIELDS, which also drives the roster-import columns).
EDITABLE_FIELDS = (*PERSONAL_FIELDS, "work_unit_id")


@dataclass
class MemberData:
    """The basic record of one member (党员基本信息), as entered."""

    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str
    education: str
    person_category: str
    native_place: str = ""
    work_unit_post: str = ""
    phone: str = ""
    work_unit_id: int | None = None  # 工作单位 (orgs.Unit)


@dataclass
class Admission:
    """How the member came into this organization: admitted here, or transferred in."""

    org: Organization
    join_date: dt.date
    full_date: dt.date | None = None
    transferred_in_on: dt.date | None = None  # set when the member came from elsewhere
    counterpart: str = ""


def registration_input(
    values: Mapping[str, Any], *, org: Organization, work_unit_id: int | None
) -> tuple[MemberData, Admission]:
    """党员建档 input as the form and the API give it (their field names are the same): one
    mapping, so that no entry point drops a field. The org and the 工作单位 come scope-checked
    by the caller."""
    data = MemberData(
        **{k: values[k] for k in PERSONAL_FIELDS},
        id_number=values["id_number"],
        work_unit_id=work_unit_id,
    )
    admission = Admission(
        org=org,
        join_date=values["join_date"],
        full_date=values.get("full_date"),
        transferred_in_on=values.get("transferred_in_on"),
        counterpart=values.get("counterpart") or "",
    )
    return data, admission


@lru_cache(maxsize=65536)  # names repeat a great deal in a large roster
def name_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials for search (张三 → zhangsan, zs); the middle dot is dropped."""
    plain = name.replace("·", "").replace("•", "").replace(" ", "")
    syllables = lazy_pinyin(plain)  # one pass; initials are the syllables' first letters
    initials = "".join(
        s[0] if s.isascii() and s.isalpha() and s.islower() else s for s in syllables
    )
    return "".join(syllables).lower(), initials.lower()


# 联系电话: digits and "-", an optional leading "+" (ASCII digits only: \d would take any
# script's digits). The form, the roster import and the services all use this one.
PHONE_RE = re.compile(r"^\+?[0-9][0-9-]{4,19}$")
PHONE_MESSAGE = "联系电话只能包含数字、“-”和开头的“+”（5 至 20 位）。"
# The basic-record fields checked against the model's own length and choices.
CHECKED_FIELDS = tuple(f for f in PERSONAL_FIELDS if f != "birth_date")


def check_person(data: MemberData) -> str:
    """The basic record as the form checks it, so that no entry point (page, API, import)
    can store what another refuses; returns the normalized ID number."""
    if not data.name.strip():
        raise DomainError("请填写姓名。", field="name")
    for name in CHECKED_FIELDS:
        _check_field(name, getattr(data, name))
    if data.phone and not PHONE_RE.match(data.phone):
        raise DomainError(PHONE_MESSAGE, field="phone")
    return validate_id_number(data.id_number, birth_date=data.birth_date, gender=data.gender)


def _check_field(name: str, value: Any) -> None:
    field = Member._meta.get_field(name)
    assert isinstance(field, models.Field)  # a column, not a relation
    label = field.verbose_name
    if not isinstance(value, str):
        raise DomainError(f"{label}填写有误。", field=name)
    if field.choices and value not in {code for code, _ in field.flatchoices}:
        raise DomainError(f"{label}「{value}」不是可选的值。", field=name)
    if field.max_length is not None and len(value) > field.max_length:
        raise DomainError(
            f"{label}不能超过 {field.max_length} 个字（当前 {len(value)} 个字）。", field=name
        )


def _check_admission(data: MemberData, adm: Admission, rules: RuleBook | None = None) -> None:
    if not adm.org.holds_members or not adm.org.is_active:
        raise DomainError("党员只能编入正常状态的党支部或党委，不能直接编入党小组。", field="org")
    lookup = rules.value if rules is not None else rule_value
    min_age = int(lookup("admission.min_age", adm.join_date))
    if adm.join_date < data.birth_date + relativedelta(years=min_age):
        raise DomainError(
            f"入党时须年满 {min_age} 周岁（党章第一章第一条），请核对入党日期。", field="join_date"
        )
    if adm.join_date > timezone.localdate():
        raise DomainError("入党日期不能晚于今天。", field="join_date")
    if adm.full_date is not None and adm.full_date < adm.join_date:
        raise DomainError("转正日期不能早于入党日期。", field="full_date")
    if adm.transferred_in_on is not None and adm.transferred_in_on < adm.join_date:
        raise DomainError("转入本组织日期不能早于入党日期。", field="transferred_in_on")


def check_registration(data: MemberData, adm: Admission, rules: RuleBook | None = None) -> str:
    """The rules a new member's record must pass (as 党员建档 checks them); the ID number."""
    number = check_person(data)
    _check_admission(data, adm, rules)
    _replay_initial(adm, rules.value if rules is not None else rule_value)
    return number


REGISTRATION_RULES = ("admission.min_age", *PROBATION_RULES)


def _replay_initial(adm: Admission, rules: RuleLookup) -> Any:
    """Replay a new record's first events: the probation rules judge its 转正日期 as they
    judge a 转正 recorded later (the form's field is 转正日期, the event's 生效日期)."""
    try:
        return replay(_initial_events(adm, rules), rules)
    except DomainError as exc:
        if exc.field == "effective_date":
            exc.field = "full_date"
        raise


@dataclass(slots=True)
class InitialEvent:
    """An event a new record starts with, before it is stored: replay() reads it like a
    MemberEvent, and bulk loads write it as a row without building a model instance."""

    kind: str
    effective_date: dt.date
    org_id: int | None = None
    category: str = ""
    counterpart: str = ""
    join_date: dt.date | None = None  # 转入: the dates of the membership begun elsewhere
    full_date: dt.date | None = None
    months: int | None = None  # 延长预备期
    decided_on: None = None
    pk: None = None
    voided_at: None = None

    def get_kind_display(self) -> str:
        return str(Kind(self.kind).label)

    def as_event(self) -> MemberEvent:
        return MemberEvent(
            kind=self.kind,
            effective_date=self.effective_date,
            org_id=self.org_id,
            category=self.category,
            counterpart=self.counterpart,
            join_date=self.join_date,
            full_date=self.full_date,
            months=self.months,
        )


def _initial_events(adm: Admission, rules: RuleLookup) -> list[InitialEvent]:
    """The events that a newly registered member's history starts with."""
    if adm.transferred_in_on is not None:
        category = (
            MemberCategory.FULL
            if adm.full_date and adm.full_date <= adm.transferred_in_on
            else MemberCategory.PROBATIONARY
        )
        full = adm.full_date if category == MemberCategory.FULL else None
        events = [
            InitialEvent(
                Kind.TRANSFER_IN,
                adm.transferred_in_on,
                adm.org.pk,
                category,
                adm.counterpart,
                join_date=adm.join_date,
                full_date=full,
            )
        ]
        if category == MemberCategory.PROBATIONARY and adm.full_date:
            after = _conversion(adm.join_date, adm.full_date, rules)
            if (
                after
                and after[0].kind == Kind.EXTEND
                and after[0].effective_date < adm.transferred_in_on
            ):
                events[0].months = after.pop(0).months  # extended before the transfer
            events += after
        return events
    events = [InitialEvent(Kind.ADMIT, adm.join_date, adm.org.pk)]
    if adm.full_date:
        events += _conversion(adm.join_date, adm.full_date, rules)
    return events


def _conversion(join: dt.date, full: dt.date, rules: RuleLookup) -> list[InitialEvent]:
    """The events from the probation to a past 转正 on `full`: 转正 on the day the probation
    ended; or 延长预备期 on that day by the k whole months the rules allow, then 转正 k months
    later; or nothing, when the 党章 of the join date set no probation (the member is full
    from the join date). Any other 转正日期 is refused, with the dates it could be."""
    if probation_window(join, rules) is not None:  # before 1956: replay judges the window
        return [InitialEvent(Kind.CONVERT, full)]
    end = join + relativedelta(months=rule_months(rules, PROBATION_MONTHS, join))
    if end == join:
        if full == join:
            return []
        raise DomainError(
            f"转正日期有误：入党日期 {join:%Y-%m-%d} 时的党章未规定预备期（1969—1977 年），"
            f"入党即为正式党员，转正日期应为 {join:%Y-%m-%d}。",
            field="full_date",
        )
    if full == end:
        return [InitialEvent(Kind.CONVERT, full)]
    low, high = rule_months(rules, EXTENSION_MIN, end), rule_months(rules, EXTENSION_MAX, end)
    for months in range(low, high + 1):
        if end + relativedelta(months=months) == full:
            return [
                InitialEvent(Kind.EXTEND, end, months=months),
                InitialEvent(Kind.CONVERT, full),
            ]
    raise DomainError(
        f"转正日期 {full:%Y-%m-%d} 与预备期不符：入党日期 {join:%Y-%m-%d} 的预备期满之日为 "
        f"{end:%Y-%m-%d}，转正日期应为该日；如曾延长预备期 {low} 至 {high} 个月，应为 "
        f"{end + relativedelta(months=low):%Y-%m-%d} 至 {end + relativedelta(months=high):%Y-%m-%d}"
        f" 之间、与预备期满之日相隔整月的同一日。",
        field="full_date",
    )


def _member_values(data: MemberData, number: str, adm: Admission) -> dict[str, Any]:
    """A new member's stored fields (the org as its id and path)."""
    pinyin, initials = name_keys(data.name)
    values = {f: getattr(data, f) for f in PERSONAL_FIELDS}
    values.update(
        name=data.name.strip(),
        name_pinyin=pinyin,
        name_initials=initials,
        id_cipher=encrypt(number),
        id_hash=lookup_hash(number),
        id_masked=mask_id_number(number),
        join_date=adm.join_date,
        full_date=adm.full_date,
        org_id=adm.org.pk,
        org_path=adm.org.path,
        work_unit_id=data.work_unit_id,
    )
    return values


def _build_member(data: MemberData, number: str, adm: Admission) -> Member:
    member = Member(**_member_values(data, number, adm))
    member.org = adm.org
    return member


def _apply_replay(member: Member, events: Sequence[Any]) -> list[MemberSpell]:
    """Set the member's derived state from its events; return the spells to store.

    Every derived field is the replay's, nothing kept from before: a voided 转正 takes its
    转正日期 with it."""
    result = replay(events)
    member.status = result.status
    member.category = result.category
    if result.org_id is not None and result.org_id != member.org_id:
        member.org = Organization.objects.get(pk=result.org_id)
    member.org_path = member.org.path
    if member.group is not None and not member.group.path.startswith(member.org_path):
        member.group = None  # a 党小组 belongs to one branch: leaving it leaves the group
    member.join_date = result.join_date
    member.full_date = result.full_date
    member.probation_end = result.probation_due
    paths = dict(
        Organization.objects.filter(pk__in={s.org_id for s in result.spells}).values_list(
            "pk", "path"
        )
    )
    return [
        MemberSpell(
            member=member,
            org_id=s.org_id,
            org_path=paths[s.org_id],
            category=s.category,
            valid_from=s.valid_from,
            valid_to=s.valid_to,
            opened_by=s.opened_by,
        )
        for s in result.spells
    ]


def ensure_id_unique(number: str, *, exclude_pk: int | None = None) -> None:
    clash = Member.objects.filter(id_hash=lookup_hash(number))
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(
            "该公民身份号码已登记在册，不能重复建档（可在党员列表按身份证号查找）。",
            field="id_number",
        )


NO_EDIT = "您没有修改该党员信息的权限。"
OUTSIDE_SCOPE_MOVE = (
    "目标党组织不在您的管理范围内。调往范围以外的党组织是组织关系转接：由转出方和接收方"
    "各自在本方范围内办理，不能登记为系统内调整。"
)


def register_member(*, actor: Any, data: MemberData, admission: Admission) -> Member:
    """党员建档: create a member's record and the events its history starts with."""
    if not scope_for(actor).can(Ability.EDIT_MEMBERS, admission.org.path):
        raise DomainError("所选党组织不在您的管理范围内。", field="org")
    return _create_member(actor, data, admission, REGISTER_MEMBER)


def admit_recruit(*, actor: Any, data: MemberData, org: Organization, join_date: dt.date) -> Member:
    """接收预备党员 (发展党员 approved by the 上级党委): the new 预备党员's record, with the same
    ADMIT event as 党员建档, on the 支部党员大会's date (党章第七条: 预备期自支部大会通过之日
    算起). The 党委 approving holds 审批发展党员, not 维护党员信息, so that is what is checked;
    only this app writes `Member`."""
    if not scope_for(actor).can(Ability.APPROVE_RECRUITMENT, org.path):
        raise DomainError("您没有审批该党支部发展党员的权限。", field="org")
    return _create_member(actor, data, Admission(org=org, join_date=join_date), ADMIT_RECRUIT)


def _create_member(
    actor: Any, data: MemberData, admission: Admission, action: AuditAction
) -> Member:
    """A new record and the events its history starts with, audited under `action`."""
    number = check_registration(data, admission)
    ensure_id_unique(number)
    member = _build_member(data, number, admission)
    initial = _initial_events(admission, rule_value)
    with transaction.atomic():
        spells = _apply_replay(member, initial)
        member._history_user = _user(actor)  # type: ignore[attr-defined]
        member.save()
        events = [e.as_event() for e in initial]
        for event in events:
            event.member = member
            event.recorded_by = _user(actor)
        MemberEvent.objects.bulk_create(events)
        MemberSpell.objects.bulk_create(spells)
        watch.created([member.pk])
        record_audit(action, actor=actor, target=member, detail={"org": admission.org.name})
    return member


def bulk_register_members(
    rows: Iterable[tuple[MemberData, Admission]],
    *,
    actor: Any = None,
    validate: bool = True,
    batch_size: int = 5000,
    history: bool = True,
    notify: bool = True,
) -> list[int]:
    """Register many members at once (demo data, roster import), history rows included.

    Rows go to the database through `insert_rows` (COPY / executemany), a few statements per
    batch. Callers check scope first and wrap the call in a transaction when it must be
    all-or-nothing. Returns the new members' ids. `history=False` (synthetic scale data only)
    skips the 修改记录 rows; `notify=False` tells no watcher (the caller rebuilds what
    depends on members, e.g. after generating a province).
    """
    rules = RuleBook(*REGISTRATION_RULES)  # read once: replay judges every row's 转正
    ids: list[int] = []
    batch: list[tuple[dict[str, Any], list[InitialEvent], list[Any]]] = []
    for data, adm in rows:
        number = check_person(data) if validate else data.id_number
        if validate:
            _check_admission(data, adm, rules)
        # Plain dicts, not model instances: building 100k Members costs more than storing them.
        values = _member_values(data, number, adm)
        events = _initial_events(adm, rules.value)
        result = replay(events, rules.value)  # once per member: state and spells together
        values.update(
            NEW_MEMBER,
            status=result.status,
            category=result.category,
            join_date=result.join_date,
            full_date=result.full_date,
            probation_end=result.probation_due,
        )
        batch.append((values, events, result.spells))
        if len(batch) >= batch_size:
            ids += _flush(batch, actor, history, notify)
            batch = []
    if batch:
        ids += _flush(batch, actor, history, notify)
    return ids


NEW_MEMBER = {"group_id": None, "user_id": None, "version": 1}
MEMBER_COLUMNS = model_columns(Member)
HISTORY_COLUMNS = model_columns(Member.history.model)
EVENT_COLUMNS = (
    "member_id",
    "kind",
    "effective_date",
    "org_id",
    "category",
    "recorded_by_id",
    "recorded_at",
    "counterpart",
    "document_no",
    "note",
    "void_reason",
    "join_date",
    "full_date",
    "months",
    "decided_on",
)
SPELL_FACTS = ("org_path", "valid_from", "valid_to", "category", "opened_by")
SPELL_COLUMNS = (
    "member_id", "org_id", "org_path", "category", "valid_from", "valid_to", "opened_by"
)  # fmt: skip


def _flush(
    batch: list[tuple[dict[str, Any], list[InitialEvent], list[Any]]],
    actor: Any,
    history: bool,
    notify: bool,
) -> list[int]:
    user_id = getattr(_user(actor), "pk", None)
    now = timezone.now()
    members = [values for values, _, _ in batch]
    with transaction.atomic():
        for values in members:
            values["created_at"] = now
        insert_rows(Member, MEMBER_COLUMNS, (tuple(v[c] for c in MEMBER_COLUMNS) for v in members))
        pks = _pks_by_id_hash([v["id_hash"] for v in members])
        for values in members:
            values["id"] = pks[values["id_hash"]]
        if history:
            insert_rows(Member.history.model, *history_rows(members, actor))
        insert_rows(
            MemberEvent,
            EVENT_COLUMNS,
            (
                (
                    v["id"],
                    e.kind,
                    e.effective_date,
                    e.org_id,
                    e.category,
                    user_id,
                    now,
                    e.counterpart,
                    "",
                    "",
                    "",
                    e.join_date,
                    e.full_date,
                    e.months,
                    None,
                )
                for v, events, _ in batch
                for e in events
            ),
        )
        insert_rows(
            MemberSpell,
            SPELL_COLUMNS,
            (
                (
                    v["id"],
                    s.org_id,
                    v["org_path"],
                    s.category,
                    s.valid_from,
                    s.valid_to,
                    s.opened_by,
                )
                for v, _, spells in batch
                for s in spells
            ),
        )
        if notify:  # the facts are built only if a watcher asks for them
            watch.created([v["id"] for v in members], lambda: _facts(batch))
    return [v["id"] for v in members]


def _facts(batch: list[tuple[dict[str, Any], list[InitialEvent], list[Any]]]) -> dict[int, Any]:
    return {
        v["id"]: (
            v,
            [(v["org_path"], s.valid_from, s.valid_to, s.category, s.opened_by) for s in spells],
        )
        for v, _, spells in batch
    }


def _pks_by_id_hash(hashes: list[str], chunk: int = 900) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(hashes), chunk):
        part = hashes[start : start + chunk]
        found.update(Member.objects.filter(id_hash__in=part).values_list("id_hash", "pk"))
    return found


def history_rows(
    members: Iterable[Member | dict[str, Any]], actor: Any, kind: str = "+"
) -> tuple[Sequence[str], Iterable[tuple[Any, ...]]]:
    """The rows simple-history would write for `members` (instances, or dicts of their column
    values) — '+' created, '~' changed — for `insert_rows`: bulk loads keep the same 修改记录."""
    user_id = getattr(_user(actor), "pk", None)
    extra = {
        "history_date": timezone.now(),
        "history_change_reason": None,
        "history_type": kind,
        "history_user_id": user_id,
    }
    rows = (
        tuple(extra[c] if c in extra else source[c] for c in HISTORY_COLUMNS)
        for source in (m if isinstance(m, dict) else vars(m) for m in members)
    )
    return HISTORY_COLUMNS, rows


def update_member(
    *,
    actor: Any,
    member: Member,
    expected_version: int,
    changes: dict[str, Any],
    id_number: str | None = None,
) -> Member:
    """修改党员基本信息. Detects a concurrent edit by the version the form was opened with."""
    if not may_edit_member(actor, member):
        raise DomainError(NO_EDIT)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"不能直接修改这些字段：{'、'.join(sorted(unknown))}")
    before = {f: _plain(getattr(member, f)) for f in changes} | {"id_number": member.id_masked}
    for name, value in changes.items():
        setattr(member, name, value)
    data = MemberData(
        **{f.name: getattr(member, f.name) for f in fields(MemberData) if f.name != "id_number"},
        id_number=id_number or member.reveal_id_number(),
    )
    number = check_person(data)
    if id_number:
        ensure_id_unique(number, exclude_pk=member.pk)
        member.id_cipher, member.id_hash = encrypt(number), lookup_hash(number)
        member.id_masked = mask_id_number(number)
    member.name_pinyin, member.name_initials = name_keys(member.name)
    with transaction.atomic(), watch.watching([member.pk]):
        updated = Member.objects.filter(pk=member.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if updated != 1:
            raise ConcurrentEditError(f"党员「{member.name}」的信息")
        member.version = expected_version + 1
        member._history_user = _user(actor)  # type: ignore[attr-defined]
        member.save()
        after = {f: _plain(getattr(member, f)) for f in changes} | {"id_number": member.id_masked}
        record_audit(UPDATE_MEMBER, actor=actor, target=member, detail=before_after(before, after))
    return member


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def record_event(
    *,
    actor: Any,
    member: Member,
    kind: str,
    effective_date: dt.date,
    org: Organization | None = None,
    category: str = "",
    counterpart: str = "",
    document_no: str = "",
    note: str = "",
    months: int | None = None,
    decided_on: dt.date | None = None,
) -> MemberEvent:
    """登记党籍变动 (转正, 延长预备期, 转出, 停止党籍 …), backdated or not; the history is
    replayed, and the replay judges the move (e.g. 转正 only on the day the probation ends)."""
    if not may_edit_member(actor, member):
        raise DomainError(NO_EDIT)
    if kind in PROBATION_OUTCOMES and (said := _kept_elsewhere(member)):
        raise DomainError(said, field="kind")
    # Both sides of a 系统内调整 lie in the actor's own scope. A move out of it is a 组织关系转接:
    # a two-sided procedure in which each side acts in its own scope (decision 36).
    if org is not None and not scope_for(actor).can(Ability.EDIT_MEMBERS, org.path):
        raise DomainError(OUTSIDE_SCOPE_MOVE, field="org")
    if org is not None and (org.kind == OrgKind.GROUP or not org.is_active):
        raise DomainError("只能转入正常状态的党支部或党委。", field="org")
    if effective_date > timezone.localdate():
        raise DomainError("生效日期不能晚于今天。", field="effective_date")
    if decided_on is not None and decided_on > timezone.localdate():
        raise DomainError("支部大会决议日期不能晚于今天。", field="decided_on")
    event = MemberEvent(
        member=member,
        kind=kind,
        effective_date=effective_date,
        org=org,
        category=category,
        counterpart=counterpart,
        document_no=document_no,
        note=note,
        months=months if kind == Kind.EXTEND else None,
        decided_on=decided_on if kind in (Kind.CONVERT, Kind.EXTEND) else None,
        recorded_by=_user(actor),
    )
    return _store_event(actor, member, event, RECORD_EVENT, org.name if org else "")


def _store_event(
    actor: Any, member: Member, event: MemberEvent, action: Any, org_name: str = ""
) -> MemberEvent:
    """Insert `event` and replay the member's history (which refuses a move it does not
    allow), then audit it under `action`."""
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        events = [*locked.events.all(), event]
        _replace_state(locked, events, actor)
        event.member = locked
        event.save()
        record_audit(
            action,
            actor=actor,
            target=locked,
            detail={
                "kind": event.kind,
                "date": event.effective_date.isoformat(),
                "org": org_name,
            },
        )
    member.refresh_from_db()
    return event


RECORD_PROBATION_OUTCOME = register_action(
    "members.record_probation_outcome", "登记预备党员转正、延长预备期或取消预备党员资格"
)
PROBATION_OUTCOMES = (Kind.CONVERT, Kind.EXTEND, Kind.CANCEL)

# Work systems that follow a 预备党员's probation with their own procedure (a 发展党员 file:
# 支部党员大会 vote, 上级党委审批): each says why the register's page may not record the outcome
# directly, so the file and the register never disagree. Installed from AppConfig.ready.
ProbationKeeper = Callable[[Member], "str | None"]
_PROBATION_KEEPERS: list[ProbationKeeper] = []


def register_probation_keeper(keeper: ProbationKeeper) -> None:
    if keeper not in _PROBATION_KEEPERS:
        _PROBATION_KEEPERS.append(keeper)


def _kept_elsewhere(member: Member) -> str | None:
    return next((said for keeper in _PROBATION_KEEPERS if (said := keeper(member))), None)


def record_probation_outcome(
    *,
    actor: Any,
    member: Member,
    kind: str,
    decided_on: dt.date,
    effective_date: dt.date,
    months: int | None = None,
    document_no: str = "",
    note: str = "",
) -> MemberEvent:
    """上级党委审批预备党员转正、延长预备期、取消预备党员资格 (党章第七条; 细则第三十三、三十四条):
    the approving 党委 writes the register, with 审批发展党员 on the member's organization (it
    holds no 维护党员信息 there). The replay judges the event as it judges `record_event`'s:
    转正 and 延长 take effect on the day the probation ends, the 支部大会 resolution
    (`decided_on`) on or after it, 延长 once and for the months the rules allow."""
    if kind not in PROBATION_OUTCOMES:
        raise ValueError(f"not a probation outcome: {kind}")
    if not scope_for(actor).can(Ability.APPROVE_RECRUITMENT, member.org_path):
        raise DomainError("您没有审批该党员所在党组织发展党员的权限。")
    today = timezone.localdate()
    if effective_date > today or decided_on > today:
        raise DomainError("生效日期和支部大会决议日期不能晚于今天。", field="effective_date")
    event = MemberEvent(
        member=member,
        kind=kind,
        effective_date=effective_date,
        document_no=document_no[:100],
        note=note[:200],
        months=months if kind == Kind.EXTEND else None,
        decided_on=decided_on if kind in (Kind.CONVERT, Kind.EXTEND) else None,
        recorded_by=_user(actor),
    )
    return _store_event(actor, member, event, RECORD_PROBATION_OUTCOME)


def check_event(*, member_id: int, kind: str, effective_date: dt.date) -> None:
    """Refuse (DomainError) an event the member's history would not accept, without recording
    it: the roster import's preview judges a 转正 the way record_event will."""
    events: list[Any] = list(MemberEvent.objects.filter(member_id=member_id))
    replay([*events, InitialEvent(kind, effective_date)])


RECORD_TRANSFER_ARRIVAL = register_action("members.record_transfer_arrival", "登记组织关系转入报到")


def record_transfer_arrival(
    *,
    actor: Any,
    member: Member,
    org: Organization,
    effective_date: dt.date,
    document_no: str = "",
    note: str = "",
) -> MemberEvent:
    """转接报到: the member joins `org` (a 系统内组织关系调整 event on the arrival date), by the
    receiving side, which holds 维护党员信息 on `org` and usually not on the member's old
    organization. Called by `transfers` when the engine has allowed the arrival step of an
    issued 介绍信 (`document_no`: its serial number); category and probation travel with the
    member unchanged (a 预备党员 stays one, with the same probation end)."""
    if not scope_for(actor).can(Ability.EDIT_MEMBERS, org.path):
        raise DomainError("接收党组织不在您的管理范围内。", field="org")
    if org.kind == OrgKind.GROUP or not org.is_active:
        raise DomainError("只能转入正常状态的党支部或党委。", field="org")
    if effective_date > timezone.localdate():
        raise DomainError("报到日期不能晚于今天。", field="effective_date")
    from_name = member.org.name
    event = MemberEvent(
        member=member,
        kind=Kind.MOVE,
        effective_date=effective_date,
        org=org,
        counterpart=from_name[:100],
        document_no=document_no[:100],
        note=(note or "组织关系转接报到")[:200],
        recorded_by=_user(actor),
    )
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        if locked.status != MemberStatus.ACTIVE:
            raise DomainError(f"党员「{locked.name}」当前党籍状态不是正常，不能报到。")
        _replace_state(locked, [*locked.events.all(), event], actor)
        event.save()
        record_audit(
            RECORD_TRANSFER_ARRIVAL,
            actor=actor,
            target=locked,
            detail={
                "from": from_name,
                "org": org.name,
                "date": effective_date.isoformat(),
                "document_no": document_no,
            },
        )
    member.refresh_from_db()
    return event


def void_event(*, actor: Any, event: MemberEvent, reason: str) -> None:
    """作废一条登记错误的党籍变动 (kept, marked void), then replay the history."""
    if not may_edit_member(actor, event.member):
        raise DomainError(NO_EDIT)
    if not reason.strip():
        raise DomainError("请填写作废原因。", field="reason")
    if event.voided_at is not None:
        raise DomainError("该变动记录已经作废。")
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=event.member_id)
        remaining = [e for e in locked.events.all() if e.pk != event.pk]
        if not any(e.voided_at is None for e in remaining):
            raise DomainError("不能作废党员的唯一一条党籍记录。")
        _replace_state(locked, remaining, actor)
        event.voided_at, event.void_reason = timezone.now(), reason.strip()
        event.save(update_fields=["voided_at", "void_reason"])
        record_audit(
            VOID_EVENT,
            actor=actor,
            target=locked,
            detail={
                "void": event.get_kind_display(),
                "date": event.effective_date.isoformat(),
                "reason": reason,
            },
        )


def _replace_state(member: Member, events: Sequence[MemberEvent], actor: Any) -> None:
    old_spells = MemberSpell.objects.filter(member=member)
    before = (dict(vars(member)), list(old_spells.values_list(*SPELL_FACTS)))
    spells = _apply_replay(member, events)
    member.version += 1
    member._history_user = _user(actor)  # type: ignore[attr-defined]
    member.save()
    old_spells.delete()
    MemberSpell.objects.bulk_create(spells)
    after = [tuple(getattr(s, f) for f in SPELL_FACTS) for s in spells]
    watch.changed(member.pk, before, (dict(vars(member)), after))


def reveal_sensitive(*, actor: Any, member: Member) -> dict[str, str]:
    """查看完整身份证号和电话: a permission, and every view is logged."""
    if not may_reveal_personal(actor, member):
        raise DomainError("您没有查看完整身份证号和电话的权限。")
    record_audit(
        REVEAL_SENSITIVE,
        actor=actor,
        target=member,
        detail={"fields": ["id_number", "phone"]},
    )
    return {"id_number": member.reveal_id_number(), "phone": member.phone}


def assign_group(*, actor: Any, member: Member, group: Organization | None) -> Member:
    """编入党小组 (or take out of one): only a 党小组 of the member's own branch."""
    if not may_edit_member(actor, member):
        raise DomainError(NO_EDIT)
    if group is not None and (
        group.kind != OrgKind.GROUP
        or not group.path.startswith(member.org_path)
        or not group.is_active
    ):
        raise DomainError("只能编入本党支部下正常状态的党小组。", field="group")
    before = member.group.name if member.group else ""
    with transaction.atomic():
        member.group = group
        member.version += 1
        member._history_user = _user(actor)  # type: ignore[attr-defined]
        member.save()
        record_audit(
            ASSIGN_GROUP,
            actor=actor,
            target=member,
            detail=before_after({"group": before}, {"group": group.name if group else ""}),
        )
    return member


# ---- 留党察看 (it takes away the vote: votes.selectors.electorate) ------------------------------


def _require_discipline_rights(actor: Any, member: Member) -> None:
    """Disciplinary records are sensitive: only those who may edit the member and see its
    sensitive data record or read them."""
    if not (may_edit_member(actor, member) and may_reveal_personal(actor, member)):
        raise DomainError("您没有查看或登记该党员处分信息的权限。")


def party_probations(*, actor: Any, member: Member) -> list[PartyProbation]:
    """查看留党察看记录: a permission, and every view is logged."""
    _require_discipline_rights(actor, member)
    record_audit(
        VIEW_PARTY_PROBATIONS,
        actor=actor,
        target=member,
        detail={"fields": ["party_probation"]},
    )
    return list(member.probations.order_by("start_date"))


def record_party_probation(
    *,
    actor: Any,
    member: Member,
    start_date: dt.date,
    document_no: str,
    end_date: dt.date | None = None,
) -> PartyProbation:
    """登记留党察看 (from the decision's date; the end when it is known)."""
    _require_discipline_rights(actor, member)
    if not document_no.strip():
        raise DomainError("请填写处分决定文号。", field="document_no")
    if end_date is not None and end_date <= start_date:
        raise DomainError("期满或恢复权利日期须晚于起始日期。", field="end_date")
    with transaction.atomic():
        Member.objects.select_for_update().get(pk=member.pk)  # one writer of the periods
        _check_no_overlap(member, start_date, end_date)
        probation = PartyProbation.objects.create(
            member=member,
            start_date=start_date,
            end_date=end_date,
            document_no=document_no.strip(),
            recorded_by=_user(actor),
        )
        record_audit(
            RECORD_PARTY_PROBATION,
            actor=actor,
            target=member,
            detail={"party_probation": "recorded"},  # no dates or document: the log is wide
        )
    return probation


def end_party_probation(
    *,
    actor: Any,
    probation: PartyProbation,
    end_date: dt.date,
) -> PartyProbation:
    """登记期满或恢复党员权利: the vote comes back on `end_date`."""
    member = probation.member
    _require_discipline_rights(actor, member)
    if probation.end_date is not None:
        raise DomainError("该留党察看记录已登记结束日期。")
    if end_date <= probation.start_date:
        raise DomainError("期满或恢复权利日期须晚于起始日期。", field="end_date")
    with transaction.atomic():
        probation.end_date = end_date
        probation.save(update_fields=["end_date"])
        record_audit(
            END_PARTY_PROBATION,
            actor=actor,
            target=member,
            detail={"party_probation": "ended"},
        )
    return probation


def _check_no_overlap(member: Member, start: dt.date, end: dt.date | None) -> None:
    for other in member.probations.all():
        other_end = other.end_date or dt.date.max
        if start < other_end and (end is None or other.start_date < end):
            raise DomainError("与已有的留党察看期间重叠。", field="start_date")


# ---- writes other apps ask for (only `members` writes Member rows) ------------------------------

LINK_ACCOUNT = register_action("members.link_account", "关联登录账号")
UNLINK_ACCOUNT = register_action("members.unlink_account", "解除关联登录账号")


def _require_account_ability(actor: Any, member: Member) -> None:
    if not scope_for(actor).can(Ability.MANAGE_ACCOUNTS_OF_MEMBERS, member.org_path):
        raise DomainError("您没有为该党员关联账号的权限。")


def link_account(*, actor: Any, member: Member, username: str) -> None:
    """关联登录账号: one account per member, set by whoever may open accounts for its branch.

    The system administrator sees no member data (三员分立), so the member's organizers link;
    administrator accounts are not linked (they hold no member data, their own included).
    """
    _require_account_ability(actor, member)
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None or not user.is_active:
        raise DomainError(f"没有启用的账号「{username}」。", field="username")
    if RoleGrant.objects.current().filter(user=user, role__in=ADMIN_ROLES).exists():
        raise DomainError("三员分立：管理员账号不能关联党员档案。", field="username")
    if Member.objects.filter(user=user).exclude(pk=member.pk).exists():
        raise DomainError(
            "该账号已关联其他党员的档案，一个账号只能关联一名党员。", field="username"
        )
    if member.user_id is not None and member.user_id != user.pk:
        raise DomainError("该党员已关联其他账号，请先解除关联。", field="username")
    if member.user_id == user.pk:
        return
    _set_member_user(actor=actor, member=member, user=user)


def unlink_account(*, actor: Any, member: Member) -> None:
    """解除关联: the account keeps existing, it just no longer opens the member's record."""
    _require_account_ability(actor, member)
    if member.user_id is None:
        raise DomainError("该党员没有关联登录账号。")
    _set_member_user(actor=actor, member=member, user=None)


def _set_member_user(*, actor: Any, member: Member, user: Any) -> None:
    before = member.user
    account = user if user is not None else before
    assert account is not None  # link has a user, unlink a linked member
    with transaction.atomic():
        member.user = user
        member._history_user = _user(actor)  # type: ignore[attr-defined]
        member.save(update_fields=["user"])
        record_audit(
            LINK_ACCOUNT if user is not None else UNLINK_ACCOUNT,
            actor=actor,
            target=member,
            detail={"user": account.pk},
        )
    for changed in (before, user):
        if changed is not None:
            forget_scope(changed)


def bulk_update_members(members: Sequence[Member], *, actor: Any, fields: Sequence[str]) -> None:
    """Save basic-data changes already set on `members` (a roster import, its undo) in bulk:
    search keys recomputed, versions bumped, 修改记录 rows written, watchers told."""
    if not members:
        return
    for member in members:
        member.name_pinyin, member.name_initials = name_keys(member.name)
        member.version += 1
    with watch.watching([m.pk for m in members]):
        Member.objects.bulk_update(
            members, [*fields, "name_pinyin", "name_initials", "version"], batch_size=500
        )
    insert_rows(Member.history.model, *history_rows(members, actor, "~"))


def remove_members(member_ids: Sequence[Any]) -> int:
    """Delete members with their events and spells (an undone import's additions): the caller
    checked that nothing else was recorded on them since."""
    ids = [pk for pk in member_ids if pk is not None]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        with watch.watching(chunk):
            MemberSpell.objects.filter(member_id__in=chunk).delete()
            MemberEvent.objects.filter(member_id__in=chunk).delete()
            try:
                Member.objects.filter(pk__in=chunk).delete()
            except models.ProtectedError as exc:
                # Another work system recorded something on them since (a transfer, a 流动
                # registration …): refuse by name, the caller's transaction undoes the rest.
                raise DomainError(_STILL_REFERENCED.format(what=_kinds(exc))) from exc
    return len(ids)


_STILL_REFERENCED = "这些党员在导入后已有{what}，不能删除；请先处理这些记录。"


def _kinds(exc: models.ProtectedError) -> str:
    names = {str(obj._meta.verbose_name) for obj in exc.protected_objects}
    return "、".join(sorted(names)) or "其他记录"


def repath_members(old_prefix: str, new_prefix: str) -> None:
    """Rewrite the tree path copied onto members and spells after a subtree moved.

    One UPDATE per table; org_path is derived data, excluded from history on purpose (the
    move itself is in the audit log).
    """
    watch.tree_changed(old_prefix, new_prefix)
    cut = len(old_prefix) + 1
    for model in (Member, MemberSpell):
        model.objects.filter(subtree_q("org_path", old_prefix)).update(
            org_path=Concat(Value(new_prefix), Substr("org_path", cut))
        )


def bulk_assign_groups(members: Sequence[Member], *, actor: Any) -> None:
    """编入党小组 in bulk (demo data): `members` carry their new `group_id`; one UPDATE per
    group and the 修改记录 in bulk (bulk_update's CASE over every row is many times slower)."""
    runs: dict[int | None, list[int]] = {}
    for member in members:
        runs.setdefault(member.group_id, []).append(member.pk)
    for group_id, pks in runs.items():
        Member.objects.filter(pk__in=pks).update(group_id=group_id)
    Member.history.bulk_history_create(  # type: ignore[attr-defined]
        members, batch_size=500, update=True, default_user=_user(actor)
    )


def _user(actor: Any) -> Any:
    """The acting account, for 'recorded by' columns and 修改记录 (None for the system)."""
    user = actor_user(actor)
    return user if getattr(user, "is_authenticated", False) else None


# ---- 组织关系转入 from another system (exchange: paper letters and signed packets) --------------

RECEIVE_TRANSFERRED = register_action("members.receive_transferred_member", "接收外系统转入党员")


@dataclass
class TransferArrival:
    """报到: where and when a member transferred from another system arrives, and on what
    document (the letter's serial); `counterpart` is the issuing organization as the letter
    names it."""

    org: Organization
    effective_date: dt.date
    document_no: str = ""
    note: str = ""
    counterpart: str = ""


@dataclass
class TransferredMember:
    """转入党员: the basic record and the membership as the letter (or packet) gives them."""

    person: MemberData
    join_date: dt.date
    full_date: dt.date | None = None  # empty: a 预备党员
    extension_months: int | None = None  # 预备期 extended at the previous organization


@dataclass
class TransferInOutcome:
    """What receiving did (or, dry run, would do): a new record, or the record of a member
    who left this installation earlier, restored with its history."""

    NEW = "new"
    RESTORED = "restored"

    kind: str
    member: Member | None  # the stored member (a dry run: the existing one, or None)
    category: str

    @property
    def label(self) -> str:
        return "新建党员档案" if self.kind == self.NEW else "恢复本系统原有档案（保留党籍变动历史）"


def _refusal_for_existing(actor: Any, member: Member) -> str:
    if member.status == MemberStatus.ACTIVE:
        where = (
            f"「{member.org.name}」"
            if scope_for(actor).can(Ability.VIEW_MEMBERS, member.org_path)
            else "其他党组织"
        )
        return (
            f"该公民身份号码（{member.id_masked}）的党员已在本系统{where}登记在册，"
            "不能重复接收；本系统内的调动请办理组织关系转接。"
        )
    return (
        f"该公民身份号码（{member.id_masked}）在本系统的记录为「{member.get_status_display()}」，"
        "不能按组织关系转入接收，请与上级组织部门核实。"
    )


def receive_transferred_member(
    *, actor: Any, data: TransferredMember, arrival: TransferArrival, dry_run: bool = False
) -> TransferInOutcome:
    """接收外系统转入的党员 (a paper letter or a signed packet from another installation).

    Matched by 公民身份号码 (keyed hash, as every look-up): nobody is registered twice. A
    person unknown here gets a new record starting with 组织关系转入; a member who left this
    installation earlier (已转出) gets the old record back, the 转入 appended to its history;
    a member in the Party here, or one whose 党籍 ended otherwise, is refused. `dry_run` checks
    everything and writes nothing (the preview)."""
    org = arrival.org
    if not scope_for(actor).can(Ability.EDIT_MEMBERS, org.path):
        raise DomainError("接收党组织不在您的管理范围内。", field="org")
    if arrival.effective_date > timezone.localdate():
        raise DomainError("转入日期不能晚于今天。", field="effective_date")
    number = check_person(data.person)
    admission = Admission(
        org=org,
        join_date=data.join_date,
        full_date=data.full_date,
        transferred_in_on=arrival.effective_date,
        counterpart=arrival.counterpart,
    )
    _check_admission(data.person, admission)
    existing = Member.objects.filter(id_hash=lookup_hash(number)).select_related("org").first()
    if existing is not None and existing.status != MemberStatus.TRANSFERRED_OUT:
        raise DomainError(_refusal_for_existing(actor, existing), field="id_number")
    initial = _initial_events(admission, rule_value)
    if data.extension_months and initial[0].category == MemberCategory.PROBATIONARY:
        initial[0].months = data.extension_months
    category = initial[0].category
    if existing is None:
        replay(initial)
        if dry_run:
            return TransferInOutcome(TransferInOutcome.NEW, None, category)
        return TransferInOutcome(
            TransferInOutcome.NEW,
            _register_transferred(actor, data, number, admission, initial, arrival),
            category,
        )
    arrived = initial[0].as_event()
    arrived.document_no, arrived.note = arrival.document_no, arrival.note
    if dry_run:
        replay([*existing.events.all(), arrived])
        return TransferInOutcome(TransferInOutcome.RESTORED, existing, category)
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=existing.pk)
        if locked.status != MemberStatus.TRANSFERRED_OUT:
            raise DomainError(_refusal_for_existing(actor, locked), field="id_number")
        before = {f: _plain(getattr(locked, f)) for f in PERSONAL_FIELDS}
        for name in PERSONAL_FIELDS:  # the letter's data is the newer
            setattr(locked, name, getattr(data.person, name))
        locked.work_unit_id = data.person.work_unit_id  # the old unit was left with the old org
        locked.name = data.person.name.strip()
        locked.name_pinyin, locked.name_initials = name_keys(locked.name)
        arrived.member = locked
        arrived.recorded_by = _user(actor)
        _replace_state(locked, [*locked.events.all(), arrived], actor)
        arrived.save()
        after = {f: _plain(getattr(locked, f)) for f in PERSONAL_FIELDS}
        record_audit(
            RECEIVE_TRANSFERRED,
            actor=actor,
            target=locked,
            detail={
                "outcome": TransferInOutcome.RESTORED,
                "org": org.name,
                "date": arrival.effective_date.isoformat(),
                "from": arrival.counterpart,
                "document_no": arrival.document_no,
                **before_after(before, after),
            },
        )
    return TransferInOutcome(TransferInOutcome.RESTORED, locked, category)


def _register_transferred(
    actor: Any,
    data: TransferredMember,
    number: str,
    admission: Admission,
    initial: list[InitialEvent],
    arrival: TransferArrival,
) -> Member:
    member = _build_member(data.person, number, admission)
    try:
        return _store_transferred(actor, member, number, admission, initial, arrival)
    except IntegrityError as exc:  # the same person received at the same moment elsewhere
        raise DomainError(
            "该公民身份号码刚刚已在本系统登记，请刷新后重新预览。", field="id_number"
        ) from exc


def _store_transferred(
    actor: Any,
    member: Member,
    number: str,
    admission: Admission,
    initial: list[InitialEvent],
    arrival: TransferArrival,
) -> Member:
    with transaction.atomic():
        ensure_id_unique(number)  # the unique id_hash is the final word under concurrency
        spells = _apply_replay(member, initial)
        member._history_user = _user(actor)  # type: ignore[attr-defined]
        member.save()
        events = [e.as_event() for e in initial]
        for event in events:
            event.member = member
            event.recorded_by = _user(actor)
        events[0].document_no, events[0].note = arrival.document_no, arrival.note
        MemberEvent.objects.bulk_create(events)
        MemberSpell.objects.bulk_create(spells)
        watch.created([member.pk])
        record_audit(
            RECEIVE_TRANSFERRED,
            actor=actor,
            target=member,
            detail={
                "outcome": TransferInOutcome.NEW,
                "org": admission.org.name,
                "date": arrival.effective_date.isoformat(),
                "from": arrival.counterpart,
                "document_no": arrival.document_no,
            },
        )
    return member
