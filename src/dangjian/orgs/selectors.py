"""Organization queries: writable choices, child listings with member counts, timelines."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.core.paths import any_subtree_q
from dangjian.members.models import Member
from dangjian.orgs.models import COMMITTEE_KINDS, Organization, Unit

# The audit entries an organization's history shows: moves, merges, dissolutions (older entries
# carry the names used before actions were named after their services).
TREE_ACTIONS = (
    "orgs.move_organization",
    "orgs.merge_branches",
    "orgs.dissolve_organization",
    "move",
    "merge",
    "dissolve",
)


def approving_committee(org: Organization) -> Organization:
    """有审批权限的基层党委 for `org`'s members (转接, 劝其退党/除名): the nearest 党委/党工委
    above it (a committee holding members directly approves its own); the tree's root if none
    is."""
    for ancestor in reversed(list(Organization.objects.get_ancestors(org))):
        if ancestor.kind in COMMITTEE_KINDS:
            return ancestor
    return org if org.kind in COMMITTEE_KINDS else org.get_root()


def unit_choices(user: Any, current: int | None = None) -> QuerySet[Unit]:
    """单位 the user may set on an organization (所在单位).

    A unit belongs to the subtrees that use it: the organizations set up in it and the members
    working there. A user may choose a unit used where they manage the tree (MANAGE_ORGS), a
    unit nobody uses yet (new, unclaimed), and `current`, the organization's unit on record;
    never a unit that only other subtrees use (another county's village or firm).
    """
    paths = scope_for(user).paths(Ability.MANAGE_ORGS)
    orgs = Organization.objects.filter(unit=OuterRef("pk")).order_by()
    members = Member.objects.filter(work_unit=OuterRef("pk")).order_by()
    in_scope = Exists(orgs.filter(any_subtree_q("path", paths))) | Exists(
        members.filter(any_subtree_q("org_path", paths))
    )
    unclaimed = ~Exists(orgs) & ~Exists(members)
    return Unit.objects.filter(in_scope | unclaimed | Q(pk=current)).order_by("name", "pk")


def top_nodes(user: Any) -> list[Organization]:
    """The roots of what the user may see: the organizations their roles were granted on."""
    paths = scope_for(user).paths(Ability.VIEW_MEMBERS)
    return list(Organization.objects.filter(path__in=paths))


def member_counts_by_child(parent: Organization) -> dict[str, int]:
    """In-party members in each child's subtree, keyed by the child's path: one GROUP BY."""
    width = len(parent.path) + Organization.steplen
    rows = (
        Member.objects.under(parent)
        .in_party()
        .annotate(prefix=Substr("org_path", 1, width))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["prefix"]: r["n"] for r in rows}


def children_with_counts(parent: Organization, user: Any) -> list[Organization]:
    children = list(
        Organization.objects.get_children(parent).visible_to(scope_for(user)).select_related("unit")
    )
    counts = member_counts_by_child(parent)
    for child in children:
        child.member_count = counts.get(child.path, 0)  # type: ignore[attr-defined]
    return children


def subtree_summary(org: Organization) -> dict[str, int]:
    members = (
        Member.objects.under(org)
        .in_party()
        .aggregate(
            total=Count("id"),
            probationary=Count("id", filter=Q(category="prob")),
            women=Count("id", filter=Q(gender="F")),
        )
    )
    orgs = (
        Organization.objects.under(org)
        .active()
        .exclude(pk=org.pk)
        .aggregate(
            total=Count("id"),
            branches=Count("id", filter=Q(kind__in=["branch", "joint", "temporary"])),
        )
    )
    return {
        "members": members["total"],
        "probationary": members["probationary"],
        "women": members["women"],
        "orgs": orgs["total"],
        "branches": orgs["branches"],
    }


def org_timeline(org: Organization) -> list[dict[str, Any]]:
    """Changes to the organization's record (history) merged with its audit entries."""
    from dangjian.audit.display import describe
    from dangjian.members.selectors import audit_entries_for

    labels = {f.name: f.verbose_name for f in Organization._meta.fields}
    entries: list[dict[str, Any]] = []
    history = org.history.select_related("history_user", "history_user__member")
    for record in history.order_by("-history_date")[:50]:
        previous = record.prev_record
        changes = []
        if previous is not None:
            changes = [
                {
                    "field": str(labels.get(c.field, c.field)),
                    # 书记: the member's name, not its id; choices by their label.
                    "old": _shown(c.field, c.old),
                    "new": _shown(c.field, c.new),
                }
                for c in record.diff_against(previous).changes
            ]
            if not changes:
                continue
        entries.append(
            {
                "at": record.history_date,
                "what": "建立" if previous is None else "修改",
                "who": record.history_user,  # shown as the person's name (|person)
                "changes": changes,
            }
        )
    for event in audit_entries_for(org):
        if event.action in TREE_ACTIONS:
            entries.append(
                {
                    "at": event.at,
                    "what": event.action_label,
                    "who": event.actor,
                    "detail": describe(event),
                }
            )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries


def _shown(field: str, value: Any) -> str:
    """A history value as a person reads it ("" when empty, so the page says （空）)."""
    from dangjian.core.display import EMPTY, field_value

    shown = field_value(Organization, field, value)
    return "" if shown == EMPTY else shown
