"""Organization tree operations (组织管理): create, edit, move, merge, dissolve.

None of them loses a member or history: members move by dated events, dissolved
organizations stay in the tree marked 已撤销, and every operation leaves an audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import before_after, record_audit
from dangjian.core.actors import actor_user
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.paths import subtree_q
from dangjian.members import watch  # no models: the registry's change hooks
from dangjian.orgs.models import ALLOWED_CHILD_KINDS, BRANCH_KINDS, Organization, OrgKind, Unit
from dangjian.orgs.selectors import unit_choices

CREATE_ORGANIZATION = register_action("orgs.create_organization", "新建党组织")
UPDATE_ORGANIZATION = register_action("orgs.update_organization", "修改组织信息")
MOVE_ORGANIZATION = register_action("orgs.move_organization", "调整隶属关系")
MERGE_BRANCHES = register_action("orgs.merge_branches", "合并党支部")
DISSOLVE_ORGANIZATION = register_action("orgs.dissolve_organization", "撤销党组织")

EDITABLE_FIELDS = (
    "name", "short_name", "code", "unit", "founded_on", "term_start", "term_end", "secretary",
)  # fmt: skip


def _require_write(actor: Any, org: Organization, what: str = "该组织") -> None:
    """Changing the tree (设立、修改、调整隶属、合并、撤销) is MANAGE_ORGS on each side."""
    if not scope_for(actor).can(Ability.MANAGE_ORGS, org.path):
        raise DomainError(f"{what}不在您的管理范围内。")


def check_child_kind(parent: Organization | None, kind: str) -> None:
    if parent is None:
        if kind not in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE):
            raise DomainError("最上级组织只能是党委或党工委。", field="kind")
        return
    if kind not in ALLOWED_CHILD_KINDS[parent.kind]:
        raise DomainError(
            f"「{parent.get_kind_display()}」下不能设立「{OrgKind(kind).label}」。", field="kind"
        )


def _check_fields(values: dict[str, Any], *, exclude_pk: int | None = None) -> None:
    code = str(values.get("code", "")).strip()
    if not code.isdigit() or not 1 <= len(code) <= 20:
        raise DomainError("组织代码须为 1–20 位数字。", field="code")
    if Organization.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise DomainError(f"组织代码 {code} 已被其他组织使用。", field="code")
    if not str(values.get("name", "")).strip():
        raise DomainError("请填写组织名称。", field="name")
    start, end = values.get("term_start"), values.get("term_end")
    if start and end and end <= start:
        raise DomainError("任期届满日期须晚于任期开始日期。", field="term_end")


def _check_unit(actor: Any, unit: Unit | None, current: int | None = None) -> None:
    """所在单位 must be one of the actor's units (orgs.selectors.unit_choices)."""
    if unit is None or unit.pk == current:
        return
    if not unit_choices(actor, current).filter(pk=unit.pk).exists():
        raise DomainError("所选单位不存在或不在您的管理范围内。", field="unit")


def create_organization(
    *,
    actor: Any,
    parent: Organization | None,
    kind: str,
    values: dict[str, Any],
    bootstrap: bool = False,
) -> Organization:
    """新建党组织 under `parent` (a root only through the setup commands)."""
    if parent is None and not bootstrap:
        raise DomainError("请选择上级党组织。", field="parent")
    if parent is not None:
        _require_write(actor, parent, "上级组织")
        if not parent.is_active:
            raise DomainError("不能在已撤销的组织下新建组织。", field="parent")
    check_child_kind(parent, kind)
    _check_fields(values)
    if not bootstrap:
        _check_unit(actor, values.get("unit"))
    with transaction.atomic():
        org = Organization(kind=kind, **{k: v for k, v in values.items() if k in EDITABLE_FIELDS})
        org._history_user = actor_user(actor)  # type: ignore[attr-defined]
        if parent is None:
            org = Organization.objects.add_root(instance=org)
        else:
            parent.refresh_from_db()
            org = Organization.objects.add_child(parent, instance=org)
        watch.orgs_changed([(None, org_facts(org))])
        record_audit(
            CREATE_ORGANIZATION,
            actor=actor,
            target=org,
            detail={"parent": parent.name if parent else "", "kind": kind},
        )
    return org


def update_organization(
    *,
    actor: Any,
    org: Organization,
    expected_version: int,
    values: dict[str, Any],
) -> Organization:
    """修改组织信息 (rename, term dates, secretary …), refusing a concurrent edit."""
    _require_write(actor, org)
    merged = {f: getattr(org, f) for f in EDITABLE_FIELDS} | values
    _check_fields(merged, exclude_pk=org.pk)
    _check_unit(actor, values.get("unit"), org.unit_id)
    before = {k: _plain(getattr(org, k)) for k in values}
    facts = org_facts(org)
    with transaction.atomic():
        if (
            Organization.objects.filter(pk=org.pk, version=expected_version).update(
                version=F("version") + 1
            )
            != 1
        ):
            raise ConcurrentEditError(f"组织「{org.name}」的信息")
        for key, value in values.items():
            setattr(org, key, value)
        org.version = expected_version + 1
        org._history_user = actor_user(actor)  # type: ignore[attr-defined]
        org.save()
        watch.orgs_changed([(facts, org_facts(org))])
        after = {k: _plain(getattr(org, k)) for k in values}
        record_audit(
            UPDATE_ORGANIZATION, actor=actor, target=org, detail=before_after(before, after)
        )
    return org


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def move_organization(*, actor: Any, org: Organization, new_parent: Organization) -> Organization:
    """调整隶属关系: move a subtree under another parent; members and history go along."""
    from dangjian.members.services import repath_members

    _require_write(actor, org)
    _require_write(actor, new_parent, "目标上级组织")
    if new_parent.path.startswith(org.path):
        raise DomainError("不能把组织移到它自己或它的下级组织下面。", field="parent")
    if not new_parent.is_active:
        raise DomainError("不能移到已撤销的组织下。", field="parent")
    check_child_kind(new_parent, org.kind)
    old_parent = Organization.objects.get_parent(org)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        raise DomainError("该组织已经在所选上级组织下。", field="parent")
    with transaction.atomic():
        old_path = org.path
        before = {o.pk: org_facts(o) for o in Organization.objects.under(org)}
        with watch.watching(_members_ever_under(old_path)):
            Organization.objects.move(org, new_parent, pos="last-child")
            org.refresh_from_db()
            repath_members(old_path, org.path)  # only `members` writes members
        watch.orgs_changed([(before[o.pk], org_facts(o)) for o in Organization.objects.under(org)])
        record_audit(
            MOVE_ORGANIZATION,
            actor=actor,
            target=org,
            detail={"from": old_parent.name if old_parent else "", "to": new_parent.name},
        )
    return org


def _members_ever_under(path: str) -> list[int]:
    """Members with a spell under `path`: the move rewrites their paths, past ones included."""
    from dangjian.members.models import MemberSpell

    spells = MemberSpell.objects.filter(subtree_q("org_path", path))
    return list(spells.values_list("member_id", flat=True).distinct())


def merge_branches(
    *,
    actor: Any,
    source: Organization,
    target: Organization,
    effective_date: dt.date,
) -> Organization:
    """合并党支部: the source's members move to the target on the date; the source is 撤销."""
    from dangjian.members.models import Member, MemberEvent
    from dangjian.members.services import record_event

    _require_write(actor, source)
    _require_write(actor, target, "并入的党支部")
    if source.kind not in BRANCH_KINDS or target.kind not in BRANCH_KINDS:
        raise DomainError("只能合并两个党支部。")
    if source.pk == target.pk or not target.is_active or not source.is_active:
        raise DomainError("请选择另一个正常状态的党支部作为并入对象。", field="target")
    with transaction.atomic():
        # Groups first: a member keeps a 党小组 only while it sits under their branch.
        for group in Organization.objects.get_children(source):
            move_organization(actor=actor, org=group, new_parent=target)
        for member in Member.objects.filter(org=source).in_party():
            record_event(
                actor=actor,
                member=member,
                kind=MemberEvent.Kind.MOVE,
                effective_date=effective_date,
                org=target,
                note=f"{source.name}并入{target.name}",
            )
        source.refresh_from_db()
        _close(source, effective_date, actor, merged_into=target)
        record_audit(
            MERGE_BRANCHES,
            actor=actor,
            target=source,
            detail={"into": target.name, "date": effective_date.isoformat()},
        )
    return target


def dissolve_organization(
    *,
    actor: Any,
    org: Organization,
    effective_date: dt.date,
    reason: str,
) -> Organization:
    """撤销党组织: only when no member and no active sub-organization is left in it."""
    from dangjian.members.models import Member

    _require_write(actor, org)
    if not org.is_active:
        raise DomainError("该组织已经撤销。")
    if org.depth == 1:
        raise DomainError("最上级组织不能在系统中撤销。")
    if not reason.strip():
        raise DomainError("请填写撤销原因（如批准文号）。", field="reason")
    members = Member.objects.under(org).in_party().count()
    children = Organization.objects.under(org).active().exclude(pk=org.pk).count()
    if members or children:
        raise DomainError(
            f"该组织下还有 {members} 名党员、{children} 个下级组织，请先转移或撤销后再撤销本组织。"
        )
    if effective_date > timezone.localdate():
        raise DomainError("撤销日期不能晚于今天。", field="effective_date")
    with transaction.atomic():
        _close(org, effective_date, actor)
        record_audit(
            DISSOLVE_ORGANIZATION,
            actor=actor,
            target=org,
            detail={"date": effective_date.isoformat(), "reason": reason},
        )
    return org


def _close(
    org: Organization, on: dt.date, actor: Any, merged_into: Organization | None = None
) -> None:
    facts = org_facts(org)
    org.status = Organization.Status.DISSOLVED
    org.dissolved_on = on
    org.merged_into = merged_into
    org.version += 1
    org._history_user = actor_user(actor)  # type: ignore[attr-defined]
    org.save()
    watch.orgs_changed([(facts, org_facts(org))])


def org_facts(org: Organization) -> tuple[Any, ...]:
    """What the statistics count of an organization (members.watch.OrgFacts)."""
    return (org.path, org.kind, org.founded_on, org.dissolved_on, org.term_end)


def get_or_create_unit(name: str, category: str) -> Unit:
    unit, _ = Unit.objects.get_or_create(name=name, defaults={"category": category})
    return unit
