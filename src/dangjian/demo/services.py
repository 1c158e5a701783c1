"""Loading (and, for `seed_demo --force`, clearing) the demo county.

`load_demo` is what `manage.py seed_demo` runs: the demo accounts, the organization tree, the
members in bulk through `bulk_register_members`, 党小组 and branch secretaries, a few later
events through `record_event` (so they are checked and audited like any other), and one audit
entry for the load itself.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalChanges
from simple_history.utils import bulk_update_with_history

from dangjian.accounts.models import Role, RoleGrant
from dangjian.accounts.services import grant_role
from dangjian.appraisal.demo import seed_demo as seed_appraisal
from dangjian.appraisal.models import Appraisal, AppraisalResult, Disposition, Entry
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.crypto import lookup_hash
from dangjian.core.exceptions import DomainError
from dangjian.core.models import ProcedureStep, RuleBook
from dangjian.core.procedures import procedures_for
from dangjian.deliberations.demo import seed_demo as seed_deliberations
from dangjian.deliberations.models import Matter, Publication, VillagerMeeting
from dangjian.demo.generator import (
    COUNTY,
    DEMO_PASSWORD,
    SEAT,
    SEAT_VILLAGE,
    MemberStream,
    OrgRow,
    build_tree,
    plan_county,
)
from dangjian.demo.polls import seed_polls
from dangjian.exchange.demo import seed_demo as seed_exchange
from dangjian.exchange.models import ExportedPacket, ImportedPacket, IncomingLetter
from dangjian.meetings.demo import seed_demo as seed_meetings
from dangjian.meetings.models import Attendance, CadenceTally, Guest, Meeting, MeetingPoll
from dangjian.members.history import PROBATION_MONTHS
from dangjian.members.models import Member, MemberEvent, MemberSpell, PartyProbation
from dangjian.members.services import (
    bulk_assign_groups,
    bulk_register_members,
    link_account,
    record_event,
)
from dangjian.mobile.demo import seed_demo as seed_mobile
from dangjian.mobile.models import MobileContact, MobileParticipation, MobileStay
from dangjian.orgs.models import Organization, OrgKind, Unit
from dangjian.recruitment.demo import seed_demo as seed_recruitment
from dangjian.recruitment.models import Applicant, Assessment, Report
from dangjian.stations.demo import seed_demo as seed_stations
from dangjian.stations.models import HelpRecord, Station
from dangjian.transfers.demo import seed_demo as seed_transfers
from dangjian.transfers.models import SerialCounter, Transfer
from dangjian.votes.models import Ballot, Candidate, Envelope, Poll, Voter

SEED_DEMO = register_action("demo.load_demo", "载入演示数据")


@dataclass(frozen=True)
class DemoLogin:
    """One demo account: its role, where it is granted and what it sees (for the login table)."""

    username: str
    full_name: str
    role: str | None  # None: a member's own login (党员本人)
    where: str  # "county", "township", "village" or "" (administrators: no organization)
    sensitive: bool
    scope: str


LOGINS = [
    DemoLogin("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, "", False, "账号管理（不接触党员数据）"),
    DemoLogin(
        "secadmin", "安全管理员", Role.SECURITY_ADMIN, "", False, "角色授权（不接触党员数据）"
    ),
    DemoLogin(
        "auditadmin", "审计管理员", Role.AUDIT_ADMIN, "", False, "审计日志（不接触党员数据）"
    ),
    DemoLogin(
        "county", "县委组织部", Role.ORG_ADMIN, "county", True, f"{COUNTY}全县，可查看完整身份证号"
    ),
    DemoLogin(
        "township", f"{SEAT}组织委员", Role.ORG_ADMIN, "township", False, f"中共{SEAT}委员会及下级"
    ),
    DemoLogin(
        "secretary", "", Role.BRANCH_SECRETARY, "village", False, f"{SEAT}{SEAT_VILLAGE}党支部"
    ),
    # Two offices that see the township's members but do not keep the registers (abilities:
    # approving recruitment and transfers; recording discipline).
    DemoLogin(
        "dangwei",
        f"{SEAT}党委",
        Role.PARTY_COMMITTEE,
        "township",
        False,
        f"中共{SEAT}委员会及下级：查看，审批发展党员和组织关系转接",
    ),
    DemoLogin(
        "jiwei",
        f"{SEAT}纪委",
        Role.DISCIPLINE_COMMITTEE,
        "township",
        False,
        f"中共{SEAT}委员会及下级：查看，记录党纪处分",
    ),
    DemoLogin("member", "", None, "village", False, "本人党员档案"),
]


@dataclass
class DemoCounty:
    root: Organization
    organizations: int
    members: int
    events: int
    seconds: float


def load_demo(
    *,
    members: int = 400,
    seed: int = 2026,
    today: dt.date | None = None,
    batch_size: int = 2000,
    events: int | None = None,
    validate: bool = False,
) -> DemoCounty:
    """Load the demo county with `members` members into a database without organizations.

    Deterministic for a given seed and date. Everything happens in one transaction: a failure
    leaves the database as it was. `validate` runs the registry's own checks on every row (ID
    number, joining age, dates), at a query per member.
    """
    if getattr(settings, "PRODUCTION", False):
        raise DomainError("生产环境不能载入演示数据（演示账号的密码是公开的）。")
    if members < 50:
        raise DomainError("演示数据至少需要 50 名党员。")
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        users = demo_users()
        admin = users["county"]
        plan = plan_county(members, random.Random(f"{seed}:plan"))
        orgs = build_tree(plan, random.Random(f"{seed}:tree"), today=today, actor=admin)
        root = orgs[0][0]
        places = {
            "county": root,
            "township": _find(orgs, f"中共{SEAT}委员会"),
            "village": _find(orgs, f"{SEAT_VILLAGE}党支部"),
        }
        for login in LOGINS:
            if login.role is not None:
                grant_role(
                    actor=None,
                    user=users[login.username],
                    role=login.role,
                    org=places.get(login.where),
                    can_view_sensitive=login.sensitive,
                    bootstrap=True,
                )
        stream = MemberStream(
            orgs,
            members,
            random.Random(f"{seed}:members"),
            today,
            events=events,
            rules=RuleBook(PROBATION_MONTHS).value,
        )
        loaded = len(
            bulk_register_members(stream, actor=admin, validate=validate, batch_size=batch_size)
        )
        recorded = record_planned_events(stream, admin)  # before 党小组: a move changes branch
        assign_groups(orgs, admin)
        secretaries = name_secretaries(orgs, stream, admin)
        link_login(users["secretary"], secretaries.get(places["village"].pk), admin)
        demo_member = _member_by_id(stream.demo_member) or (
            Member.objects.in_party()
            .filter(org=places["village"], user__isnull=True, category="full")
            .order_by("id")
            .first()
        )
        link_login(users["member"], demo_member, admin)
        seed_polls(users["secretary"], places["village"], today, random.Random(f"{seed}:polls"))
        seed_stations(county_admin=admin, secretary=users["secretary"], places=places, today=today)
        seed_mobile(
            users["secretary"], admin, places["village"], today, random.Random(f"{seed}:mobile")
        )
        seed_meetings(
            users["secretary"], admin, places["village"], today, random.Random(f"{seed}:meetings")
        )
        seed_deliberations(users["secretary"], places["village"], today)
        seed_exchange(county_admin=admin, secretary=users["secretary"], places=places, today=today)
        seed_transfers(county_admin=admin, secretary=users["secretary"], approver=users["dangwei"],
                       places=places, today=today)  # fmt: skip
        seed_appraisal(secretary=users["secretary"], village=places["village"], today=today)
        seed_recruitment(secretary=users["secretary"], approver=users["dangwei"],
                         village=places["village"], today=today)  # fmt: skip
        record_audit(
            SEED_DEMO,
            target=root,
            actor_name="seed_demo",
            detail={
                "members": loaded,
                "organizations": len(orgs),
                "seed": seed,
                "events": recorded,
            },
        )
    return DemoCounty(root, len(orgs), loaded, recorded, time.perf_counter() - started)


def _find(orgs: Sequence[tuple[Organization, OrgRow]], name: str) -> Organization:
    return next(org for org, row in orgs if row.name == name)


def demo_users() -> dict[str, Any]:
    """The demo accounts, created or (after `--force`) reused, all with the demo password."""
    users = {}
    model = get_user_model()
    for login in LOGINS:
        user = model.objects.filter(username=login.username).first()
        if user is None:
            user = model.objects.create_user(
                login.username, password=DEMO_PASSWORD, first_name=login.full_name
            )
        else:
            user.set_password(DEMO_PASSWORD)
            user.first_name, user.is_active = login.full_name, True
            user.save()
        users[login.username] = user
    return users


def assign_groups(orgs: Sequence[tuple[Organization, OrgRow]], actor: Any) -> int:
    """Put the in-party members of branches with 党小组 into them, in equal runs (history
    included).

    Written by `members.services.bulk_assign_groups` (one UPDATE per group, history in bulk).
    """
    groups: dict[int, list[int]] = {}
    parents = {org.path: org for org, _ in orgs}
    for org, _ in orgs:
        if org.kind == OrgKind.GROUP:
            parent = parents[org.path[: -Organization.steplen]]
            groups.setdefault(parent.pk, []).append(org.pk)
    assigned = 0
    for branch_ids in _chunked(list(groups), 100):
        members = list(
            Member.objects.filter(org_id__in=branch_ids).in_party().order_by("org_id", "id")
        )
        by_branch: dict[int, list[Member]] = {}
        for member in members:
            by_branch.setdefault(member.org_id, []).append(member)
        for branch_id, branch_members in by_branch.items():
            choices = groups[branch_id]
            for i, member in enumerate(branch_members):
                member.group_id = choices[i * len(choices) // len(branch_members)]
        bulk_assign_groups(members, actor=actor)
        assigned += len(members)
    return assigned


def name_secretaries(
    orgs: Sequence[tuple[Organization, OrgRow]], stream: MemberStream, actor: Any
) -> dict[int, Member]:
    """Set 书记 on the branches the stream picked a secretary for (history included)."""
    by_hash = {lookup_hash(number): org_pk for org_pk, number in stream.secretaries.items()}
    chosen: dict[int, Member] = {}
    for hashes in _chunked(list(by_hash), 500):
        for member in Member.objects.filter(id_hash__in=hashes):
            chosen[by_hash[member.id_hash]] = member
    changed = []
    for org, _ in orgs:
        if org.pk in chosen:
            org.secretary = chosen[org.pk]
            changed.append(org)
    bulk_update_with_history(
        changed, Organization, ["secretary"], batch_size=500, default_user=_user(actor)
    )
    return chosen


def link_login(user: Any, member: Member | None, actor: Any) -> None:
    """Give a member their own login (党员本人), named after them."""
    if member is None:
        return
    link_account(actor=actor, member=member, username=user.username)
    user.first_name = member.name
    user.save(update_fields=["first_name"])


def record_planned_events(stream: MemberStream, actor: Any) -> int:
    """去世, 转出, 停止党籍 and moves, through the service (checked, replayed, audited)."""
    recorded = 0
    for planned in stream.planned:
        member = _member_by_id(planned.id_number)
        if member is None:
            continue
        record_event(
            actor=actor,
            member=member,
            kind=planned.kind,
            effective_date=planned.effective_date,
            org=planned.org,
            counterpart=planned.counterpart,
            note=planned.note,
        )
        recorded += 1
    return recorded


def _member_by_id(number: str | None) -> Member | None:
    if number is None:
        return None
    return Member.objects.filter(id_hash=lookup_hash(number)).first()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ---- clearing (seed_demo --force) ----------------------------------------------------------------

# What --force removes. Accounts stay (the audit log refers to them), and so does the audit log.
CLEARED: tuple[type[models.Model], ...] = (  # in an order the foreign keys allow
    Report,
    Assessment,
    Applicant.contacts.through,
    Applicant.introducers.through,
    Applicant,
    Disposition,
    AppraisalResult,
    Entry,
    Appraisal,
    Publication,
    VillagerMeeting,
    Matter,
    Attendance,
    Guest,
    MeetingPoll,
    Meeting,
    CadenceTally,
    MobileContact,
    MobileParticipation,
    MobileStay,
    ImportedPacket,
    IncomingLetter,
    Transfer,
    SerialCounter,
    ExportedPacket,
    Ballot,
    Envelope,
    Voter,
    Candidate,
    Poll,
    HelpRecord,
    Station,
    PartyProbation,
    MemberSpell,
    MemberEvent,
    Member,
    RoleGrant,
    Organization,
    Unit,
)


def blocking_references() -> list[str]:
    """Other data that refers to organizations or members (e.g. meetings, dues): --force must
    not pull it out from under them."""
    found = []
    for model in CLEARED:
        for rel in model._meta.get_fields(include_hidden=True):
            other = getattr(rel, "related_model", None)
            if not (rel.auto_created and not rel.concrete and rel.is_relation) or other is None:
                continue
            if other in CLEARED or issubclass(other, HistoricalChanges):
                continue
            field_name = rel.field.name  # type: ignore[union-attr]
            if other._default_manager.filter(**{f"{field_name}__isnull": False}).exists():
                found.append(str(other._meta.verbose_name))
    return sorted(set(found))


def clear_demo_data() -> dict[str, int]:
    """Delete all organizations, units, members (with events, spells and their history), polls
    (the demo's own among them) and role grants on organizations or held by the demo accounts.
    Development databases only.

    Raw deletes: the ORM would load every row and write a deletion record into the history
    for each, which at a million members takes far longer than the load itself.
    """
    if getattr(settings, "PRODUCTION", False):
        raise DomainError("生产环境不能清空组织和党员数据。")
    blockers = blocking_references()
    if blockers:
        raise DomainError(
            f"数据库中还有引用这些组织或党员的其他数据（{'、'.join(blockers)}），"
            "不能清空重建；请换用一个新的数据库。"
        )
    demo_names = [login.username for login in LOGINS]
    counts: dict[str, int] = {}
    with transaction.atomic():
        Organization.objects.update(secretary=None, merged_into=None)
        grants = RoleGrant.objects.filter(
            models.Q(org__isnull=False) | models.Q(user__username__in=demo_names)
        )
        grant_ids = list(grants.values_list("pk", flat=True))
        RoleGrant.history.filter(id__in=grant_ids).delete()  # type: ignore[attr-defined]
        for model in CLEARED:
            queryset = grants if model is RoleGrant else model._default_manager.all()
            counts[model._meta.label] = _raw_delete(queryset)
            # Steps name their record by id, not by a foreign key: left behind, a record made
            # after the reload with a reused id would inherit a cleared record's steps.
            names = [p.name for p in procedures_for(model)]
            if names:
                _raw_delete(ProcedureStep.objects.filter(procedure__in=names))
            if model is not RoleGrant and hasattr(model, "history"):
                _raw_delete(model.history.all())  # type: ignore[attr-defined]
    return counts


def _raw_delete(queryset: models.QuerySet[Any]) -> int:
    return queryset._raw_delete(queryset.db)  # type: ignore[attr-defined,no-any-return]


def organizations_exist() -> bool:
    return Organization.objects.exists()


def login_rows() -> Iterable[tuple[str, str, str, str]]:
    """(角色, 用户名, 密码, 可见范围) for the login table; reads nothing from the database."""
    for login in LOGINS:
        role = Role(login.role).label if login.role else "党员（本人）"
        yield str(role), login.username, DEMO_PASSWORD, login.scope
