"""流动党员: reads. Who sees a stay (both sides), where a member is on a date, the flags of a
stay (contact overdue, lost contact, transfer proposed, 活动证 expiring) and the information
system view of a subtree, aggregated in SQL.

Both sides see a stay: the home side (VIEW_MEMBERS on the home organization's path) and the
destination side (VIEW_MEMBERS on the destination organization's path); the member sees their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, reverse

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.models import RuleBook
from dangjian.core.paths import any_subtree_q, subtree_q
from dangjian.mobile.models import MobileStay
from dangjian.mobile.regions import region_name
from dangjian.orgs.models import Organization

S = MobileStay.Status
Side = Literal["home", "destination", "own"]


@dataclass(frozen=True)
class ParticipationRow:
    """One line of a stay's 参加组织生活情况, whichever record it comes from."""

    on: dt.date
    activity: str
    note: str
    recorded_by: Any  # a login, shown with |person
    url: str = ""


# Other parts record participation in their own terms (a meeting's 出席登记 at the destination):
# a function of a stay giving its rows, registered in that app's AppConfig.ready(), so the
# destination enters an attendance once and the stay shows it.
ParticipationSource = Callable[[MobileStay], Iterable[ParticipationRow]]
_PARTICIPATION_SOURCES: list[ParticipationSource] = []


def register_participation_source(source: ParticipationSource) -> None:
    if source not in _PARTICIPATION_SOURCES:
        _PARTICIPATION_SOURCES.append(source)


def participations(stay: MobileStay) -> list[ParticipationRow]:
    """参加组织生活情况 of a stay, latest first: the rows recorded on the stay itself (a
    destination outside this installation, reported to the home side) and those of every
    registered source."""
    rows = [
        ParticipationRow(p.on, p.get_kind_display(), p.note, p.recorded_by)
        for p in stay.participations.select_related("recorded_by")
    ]
    for source in _PARTICIPATION_SOURCES:
        rows.extend(source(stay))
    return sorted(rows, key=lambda r: r.on, reverse=True)


def stays_visible_to(user: Any) -> QuerySet[MobileStay]:
    """Stays the user sees: those out of or into a subtree where they can view, and their own."""
    scope = scope_for(user)
    paths = scope.paths(Ability.VIEW_MEMBERS)
    q = any_subtree_q("home_path", paths)
    if paths:
        q |= Q(destination_path__gt="") & any_subtree_q("destination_path", paths)
    if scope.own_member_id is not None:
        q |= Q(member_id=scope.own_member_id)
    return MobileStay.objects.filter(q)


def side_of(user: Any, stay: MobileStay) -> Side | None:
    """Which side the user sees the stay from (the home side first), or None."""
    scope = scope_for(user)
    if scope.can(Ability.VIEW_MEMBERS, stay.home_path):
        return "home"
    if stay.destination_path and scope.can(Ability.VIEW_MEMBERS, stay.destination_path):
        return "destination"
    if scope.own_member_id is not None and scope.own_member_id == stay.member_id:
        return "own"
    return None


def get_stay_for_user(
    user: Any, pk: Any, ability: str | None = None, *, home: bool = False
) -> MobileStay:
    """The stay by id: 404 outside both sides; with `ability`, 403 unless held on either side
    (`home=True`: on the home side, for what only the 流出地 does)."""
    visible = stays_visible_to(user).select_related("member", "home_org", "destination_org")

    def path_of(stay: MobileStay) -> str:
        if home:
            return stay.home_path
        if stay.destination_path and scope_for(user).can(str(ability), stay.destination_path):
            return stay.destination_path
        return stay.home_path

    return get_for(
        user,
        ability,
        visible,
        pk,
        path_of=path_of,
        missing="外出登记不存在或不在您的管理范围内",
        refusal="只有流出地党组织可以办理此事项" if home else "",
    )


def incoming_member_ids(user: Any) -> QuerySet[Any]:
    """Members away from home taking part in organizations the user maintains (流入党员): the
    service stations let the user record help for them (`stations.register_member_source`)."""
    paths = scope_for(user).paths(Ability.EDIT_MEMBERS)
    return MobileStay.objects.filter(
        any_subtree_q("destination_path", paths), destination_path__gt="", status=S.OPEN
    ).values("member_id")


def open_stay(member_id: int) -> MobileStay | None:
    return MobileStay.objects.filter(member_id=member_id, status=S.OPEN).first()


def stay_on(member_id: int, on: dt.date) -> MobileStay | None:
    """The stay the member was on at `on` (start day included, end day excluded)."""
    return (
        MobileStay.objects.filter(member_id=member_id, start_on__lte=on)
        .filter(Q(end_on__isnull=True) | Q(end_on__gt=on))
        .order_by("-start_on", "-id")
        .first()
    )


def is_away(member_id: int, on: dt.date) -> bool:
    return stay_on(member_id, on) is not None


# ---- flags ------------------------------------------------------------------------------------


LIMIT_RULES = (
    "mobile.contact_overdue_days",
    "mobile.lost_contact_months",
    "mobile.transfer_after_months",
    "mobile.permit_notice_days",
)


@dataclass(frozen=True)
class Limits:
    """The thresholds for `today`, each from the rule value in force that day."""

    today: dt.date
    overdue_days: int
    lost_months: int
    transfer_months: int
    permit_notice_days: int

    @classmethod
    def on(cls, today: dt.date) -> Limits:
        """The values in force on `today` (one query for all four)."""
        book = RuleBook(*LIMIT_RULES)
        return cls(today, *(int(book.value(key, today)) for key in LIMIT_RULES))

    @property
    def overdue_before(self) -> dt.date:
        """Not contacted for longer than N days: last contact before this date."""
        return self.today - dt.timedelta(days=self.overdue_days)

    @property
    def lost_on_or_before(self) -> dt.date:
        """Lost contact for N months: last contact on or before this date."""
        return self.today - relativedelta(months=self.lost_months)

    @property
    def transfer_on_or_before(self) -> dt.date:
        """Away N months at one place: started on or before this date."""
        return self.today - relativedelta(months=self.transfer_months)

    @property
    def permit_until(self) -> dt.date:
        return self.today + dt.timedelta(days=self.permit_notice_days)

    def overdue_q(self) -> Q:
        return Q(contact_since__lt=self.overdue_before)

    def lost_q(self) -> Q:
        return Q(contact_since__lte=self.lost_on_or_before)

    def transfer_q(self) -> Q:
        return Q(start_on__lte=self.transfer_on_or_before)

    def permit_q(self) -> Q:
        return Q(permit_valid_until__isnull=False, permit_valid_until__lte=self.permit_until)


@dataclass(frozen=True)
class Flags:
    overdue: bool
    lost: bool
    transfer_proposed: bool
    permit_expiring: bool
    permit_expired: bool
    days_without_contact: int


def flags(stay: MobileStay, limits: Limits) -> Flags:
    open_ = stay.status == S.OPEN
    valid = stay.permit_valid_until
    return Flags(
        overdue=open_ and stay.contact_since < limits.overdue_before,
        lost=open_ and stay.contact_since <= limits.lost_on_or_before,
        transfer_proposed=open_ and stay.start_on <= limits.transfer_on_or_before,
        permit_expiring=open_ and valid is not None and valid <= limits.permit_until,
        permit_expired=open_ and valid is not None and valid < limits.today,
        days_without_contact=(limits.today - stay.contact_since).days,
    )


def transfer_url(member_id: int) -> str:
    """Where to start a transfer of the member: the transfers page if installed, else the
    member's page."""
    try:
        return f"{reverse('transfers:create')}?member={member_id}"
    except NoReverseMatch:
        return reverse("members:detail", args=[member_id])


# ---- the information system view ---------------------------------------------------------------


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    total: int
    overdue: int
    lost: int
    transfer: int


@dataclass(frozen=True)
class Information:
    org: Organization
    limits: Limits
    region: str  # "" (all), a province code (2 digits) or a city code (4 digits)
    total: int
    overdue: int
    lost: int
    transfer: int
    regions: list[RegionRow]
    attended: list[tuple[str, int]]


def top_org(user: Any) -> Organization | None:
    """The highest organization where the user can view (the information view's default), found
    from the scope's paths, not by sorting the subtree."""
    paths = scope_for(user).paths(Ability.VIEW_MEMBERS)
    if not paths:
        return None
    return Organization.objects.filter(path=min(paths, key=lambda p: (len(p), p))).first()


def open_stays_under(org: Organization, region: str = "") -> QuerySet[MobileStay]:
    """Open stays out of `org`'s subtree (to a region prefix): the partial index's range."""
    qs = MobileStay.objects.filter(subtree_q("home_path", org.path), status=S.OPEN)
    if len(region) == 6:
        qs = qs.filter(region_code=region)
    elif region:
        qs = qs.filter(subtree_q("region_code", region))
    return qs


def information(org: Organization, today: dt.date, region: str = "") -> Information:
    """流动党员信息: counts by destination region (provinces; a province's cities), by attended
    organization, and the overdue / lost / transfer counts, in one grouped query over the
    partial index of open stays (grouped by region and attended organization together, folded
    both ways here). `region`: "" (all), a province's 2 digits or a 6-digit code."""
    limits = Limits.on(today)
    digits = 2 if not region else 6
    # Counting a NOT NULL column of the index (not the id) keeps the scan index-only.
    groups = (
        open_stays_under(org, region)
        .annotate(part=Substr("region_code", 1, digits))
        .values_list("part", "destination_org_id")
        .annotate(
            total=Count("contact_since"),
            overdue=Count("contact_since", filter=limits.overdue_q()),
            lost=Count("contact_since", filter=limits.lost_q()),
            transfer=Count("contact_since", filter=limits.transfer_q()),
        )
        .order_by()
    )
    by_region: dict[str, list[int]] = {}
    by_org: dict[int | None, int] = {}
    for part, destination, *counts in groups:
        sums = by_region.setdefault(part, [0, 0, 0, 0])
        for i, n in enumerate(counts):
            sums[i] += n
        by_org[destination] = by_org.get(destination, 0) + counts[0]
    regions = sorted(
        (
            RegionRow(code, region_name(code.ljust(6, "0")), *sums)
            for code, sums in by_region.items()
        ),
        key=lambda r: (-r.total, r.code),
    )
    top = sorted(by_org.items(), key=lambda item: (-item[1], item[0] or 0))[:20]
    names = dict(
        Organization.objects.filter(pk__in=[pk for pk, _ in top if pk]).values_list("pk", "name")
    )
    attended = [(names.get(pk, "") if pk else "本系统外党组织", n) for pk, n in top]
    return Information(
        org=org,
        limits=limits,
        region=region,
        total=sum(r.total for r in regions),
        overdue=sum(r.overdue for r in regions),
        lost=sum(r.lost for r in regions),
        transfer=sum(r.transfer for r in regions),
        regions=regions,
        attended=attended,
    )


LIST_FILTERS = {
    "all": "全部",
    "overdue": "超期未联系",
    "lost": "失去联系",
    "transfer": "应转移组织关系",
}


def information_list(
    org: Organization, limits: Limits, *, region: str = "", which: str = "all"
) -> QuerySet[MobileStay]:
    """The stays behind the counts, in the index's order (page it with a slice)."""
    qs = open_stays_under(org, region)
    if which == "overdue":
        qs = qs.filter(limits.overdue_q())
    elif which == "lost":
        qs = qs.filter(limits.lost_q())
    elif which == "transfer":
        qs = qs.filter(limits.transfer_q())
    # longest without contact first, in the order of mobile_open_contact_idx: a page of a
    # province is an index scan with a LIMIT
    return qs.order_by("contact_since", "id")


def page_of(stays: QuerySet[MobileStay], start: int, size: int) -> list[MobileStay]:
    """One page of `information_list`: the ids first, from the stay index alone in its order
    (joining the names before the LIMIT would join every stay of a province), then those rows
    with their names."""
    ids = list(stays.values_list("pk", flat=True)[start : start + size])
    found = MobileStay.objects.select_related("member", "home_org", "destination_org").in_bulk(ids)
    return [found[pk] for pk in ids]
