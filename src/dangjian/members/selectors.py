"""Member queries that are more than a filter: search, roster as of a date, timelines."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, scope_for
from dangjian.audit.models import AuditEvent
from dangjian.core.crypto import lookup_hash
from dangjian.core.masking import mask_phone
from dangjian.core.paths import any_subtree_q, subtree_q
from dangjian.members.history import Replay, replay
from dangjian.members.idnumber import normalize_id_number
from dangjian.members.models import Member, MemberEvent, MemberQuerySet, MemberSpell
from dangjian.orgs.models import Organization, Unit

PINYIN_RE = re.compile(r"^[a-zA-Z]+$")
# Only the last 4 characters of an ID are kept in clear (masked copy): search on those.
TAIL_RE = re.compile(r"^\d{0,3}[\dxX]$")


def get_member_for_user(user: Any, pk: Any, ability: str | None = None) -> Member:
    """The member if the user sees it (404) and, given an ability, holds it on the member's
    organization (403): `get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)`."""
    visible = Member.objects.visible_to(user).select_related("org", "group")
    return get_for(
        user, ability, visible, pk, path_of="org_path", missing="党员不存在或不在您的管理范围内"
    )


def may_edit_member(actor: Any, member: Member) -> bool:
    return scope_for(actor).can(Ability.EDIT_MEMBERS, member.org_path)


def may_reveal_personal(actor: Any, member: Member) -> bool:
    """Full ID number and phone: the ability on the member's subtree, or one's own record."""
    scope = scope_for(actor)
    return scope.can(Ability.REVEAL_PERSONAL, member.org_path) or scope.own_member_id == member.pk


def search_members(qs: MemberQuerySet, query: str) -> MemberQuerySet:
    """Search by name, pinyin (full or initials), the last digits of the ID, or a full ID."""
    q = query.strip()
    if not q:
        return qs
    if len(q) in (15, 18) and q[:-1].isdigit():
        return qs.filter(id_hash=lookup_hash(normalize_id_number(q)))
    if TAIL_RE.match(q):
        return qs.filter(id_masked__endswith=q.upper())
    if PINYIN_RE.match(q):
        lowered = q.lower()
        return qs.filter(Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered))
    return qs.filter(name__contains=q)


def roster_on(org: Organization, on: dt.date, *, subtree: bool = False) -> QuerySet[MemberSpell]:
    """The members of `org` (or of its whole subtree) on date `on` (某日党员名册)."""
    spells = MemberSpell.objects.open_on(on)
    spells = spells.filter(subtree_q("org_path", org.path)) if subtree else spells.filter(org=org)
    return spells.select_related("member", "org").order_by("member__name_pinyin")


def member_timeline(member: Member) -> list[dict[str, Any]]:
    """Every change to the record: field edits (history) and audit entries, newest first."""
    entries: list[dict[str, Any]] = []
    labels = {f.name: f.verbose_name for f in Member._meta.fields}
    history = member.history.select_related("history_user", "history_user__member")
    for record in history.order_by("-history_date")[:100]:
        previous = record.prev_record
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [
                {
                    "field": str(labels.get(c.field, c.field)),
                    "old": _shown(c.field, c.old),
                    "new": _shown(c.field, c.new),
                }
                for c in delta.changes
                if c.field not in {"id_cipher"}
            ]
            if not changes:
                continue
        entries.append(
            {
                "at": record.history_date,
                "who": record.history_user,  # shown as the person's name (|person)
                "what": {"+": "建档", "~": "修改", "-": "删除"}[record.history_type],
                "changes": changes,
            }
        )
    return entries


def _shown(field: str, value: Any) -> str:
    """A history value as a person reads it: masked phone, choice labels, related names
    (a login account by its person's name); "" when empty, so the page says （空）."""
    from dangjian.core.display import EMPTY, field_value

    if field == "phone":
        return mask_phone(value or "")
    shown = field_value(Member, field, value)
    return "" if shown == EMPTY else shown


def audit_entries_for(obj: Any, limit: int = 50) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        target_type=obj._meta.label_lower, target_id=str(obj.pk)
    ).select_related("actor")[:limit]


def filter_members(user: Any, params: Mapping[str, Any]) -> tuple[Any, MemberQuerySet]:
    """党员名册 filters (organization, category, gender …, search) over what `user` may see:
    the list page, its export and the export job all read the roster through this."""
    from dangjian.members.forms import MemberFilterForm

    data = QueryDict(mutable=True)
    data.update(params)
    data.setdefault("status", "active")
    orgs = Organization.objects.visible_to(scope_for(user)).exclude(kind="group")
    form = MemberFilterForm(data, orgs=orgs)
    qs = Member.objects.visible_to(user).select_related("org")
    if not form.is_valid():
        return form, qs.none()
    f = form.cleaned_data
    if f["org"]:
        qs = qs.under(f["org"])
    if f["on"]:
        qs = qs.filter(_members_on(user, f["org"], f["on"]))
    for field in ("category", "gender", "education", "status"):
        if f[field]:
            qs = qs.filter(**{field: f[field]})
    return form, search_members(qs, f["q"])


def _members_on(user: Any, org: Organization | None, on: dt.date) -> Q:
    """The members in `org`'s subtree on `on` (某日名册, by `roster_on`), or in any subtree
    the user sees when no organization is chosen."""
    if org is not None:
        tops = [org]
    else:
        tops = list(
            Organization.objects.filter(path__in=scope_for(user).paths(Ability.VIEW_MEMBERS))
        )
    q = Q(pk__in=[])
    for top in tops:
        q |= Q(pk__in=roster_on(top, on, subtree=True).order_by().values("member_id"))
    return q


def work_unit_choices(user: Any, current: int | None = None) -> QuerySet[Unit]:
    """工作单位 a user may record, by name: the units of the organizations in the user's scope,
    the units members in the scope already work in (e.g. small firms without an organization
    of their own, whose members sit in a 联合党支部), and `current`, the unit on record."""
    paths = scope_for(user).paths(Ability.VIEW_MEMBERS)
    orgs = Organization.objects.filter(any_subtree_q("path", paths), unit=OuterRef("pk"))
    members = Member.objects.filter(any_subtree_q("org_path", paths), work_unit=OuterRef("pk"))
    return Unit.objects.filter(
        Exists(orgs.order_by()) | Exists(members.order_by()) | Q(pk=current)
    ).order_by("name", "pk")


def membership_state(member: Member, events: Any = None) -> Replay:
    """The member's state replayed from its events (with what is not stored: 预备期满之日)."""
    return replay(member.events.all() if events is None else events)


def event_kinds_for(state: Replay) -> list[str]:
    """The 变动类型 the member's current state allows (the replay's table, so the form offers
    nothing the service would refuse for the state alone); 接收预备党员 only starts a record."""
    return [k for k in state.allowed_moves() if k != MemberEvent.Kind.ADMIT]


def has_groups(member: Member) -> bool:
    """Whether the member's branch has a 党小组 to be put in."""
    return Organization.objects.get_children(member.org).filter(kind="group").active().exists()
