"""Reads of the stations app: which stations and help records a user sees, and may change.

Stations are seen by those who see their hosting organization (`VIEW_MEMBERS` on its subtree)
and managed by those who maintain it (`MANAGE_ORGS`); open stations are also on the public page,
with no member data. A help record is seen from the member's side (their organization's subtree)
and from the station's (its hosting organization's subtree).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, refusal_for, scope_for
from dangjian.core.masking import mask_phone
from dangjian.core.paths import any_subtree_q
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.regions import lookup

# Other parts name more members a user may record help for (the mobile members taking part in
# the user's organizations, who belong to a branch elsewhere): a function of the user giving a
# queryset of member ids. Registered in the other app's AppConfig.ready().
MemberSource = Callable[[Any], QuerySet[Any]]
_MEMBER_SOURCES: list[MemberSource] = []


def register_member_source(source: MemberSource) -> None:
    """Add a source of members a user may record help for (beyond those in their scope)."""
    if source not in _MEMBER_SOURCES:
        _MEMBER_SOURCES.append(source)


# ---- stations ---------------------------------------------------------------------------------


def stations_visible_to(user: Any) -> QuerySet[Station]:
    """Stations of the organizations the user sees."""
    scope = scope_for(user)
    return Station.objects.filter(any_subtree_q("org__path", scope.paths(Ability.VIEW_MEMBERS)))


def get_station_for_user(user: Any, pk: Any, ability: str | None = None) -> Station:
    """The station if visible (404); given an ability (MANAGE_ORGS), only for its holders on the
    hosting organization (403)."""
    visible = stations_visible_to(user).select_related("org")
    return get_for(user, ability, visible, pk, path_of="org__path",
                   missing="服务站不存在或不在您的管理范围内")  # fmt: skip


def may_manage_station(user: Any, station: Station) -> bool:
    """维护党组织 on the hosting organization: edits the station and sees its contact in full."""
    return scope_for(user).can(Ability.MANAGE_ORGS, station.org.path)


def contact_phone_for(user: Any, station: Station) -> str:
    """The contact's own mobile: in full for the station's managers, masked for everyone else."""
    phone = station.contact_phone
    return phone if may_manage_station(user, station) else mask_phone(phone)


def public_stations() -> QuerySet[Station]:
    """Open stations for the public page: nothing but the station's own published details."""
    # A station of a dissolved organization is no longer kept by anyone: not offered.
    open_ = Station.objects.filter(is_open=True, org__status=Organization.Status.ACTIVE)
    return open_.select_related("org").order_by("region", "name")


def station_choices(keep: int | None = None) -> QuerySet[Station]:
    """Stations a help record may name: any open one (their details are public anyway), and
    `keep`, the one a record already names."""
    offered = Q(is_open=True, org__status=Organization.Status.ACTIVE) | Q(pk=keep)
    return Station.objects.filter(offered).order_by("region", "name")


# ---- help records -----------------------------------------------------------------------------


def help_visible_to(user: Any) -> QuerySet[HelpRecord]:
    """Help records of members in the user's scope, and those given at stations of the
    organizations in it or by those organizations themselves."""
    paths = scope_for(user).paths(Ability.VIEW_MEMBERS)
    q = any_subtree_q("member__org_path", paths) | any_subtree_q("station__org__path", paths)
    q |= any_subtree_q("org__path", paths)
    return HelpRecord.objects.filter(q).select_related("member", "station", "org")


def help_for_member(user: Any, member: Member) -> QuerySet[HelpRecord]:
    """The help records of one member the user may see, newest first (a mobile member's stay
    page shows them)."""
    return help_visible_to(user).filter(member=member).order_by("-date", "-id")


def may_edit_help(user: Any, record: HelpRecord) -> bool:
    """维护党员信息 on the member's organization, the station's hosting organization or the
    organization that gave the help."""
    scope = scope_for(user)
    paths = [record.member.org_path]
    if record.station is not None:
        paths.append(record.station.org.path)
    if record.org is not None:
        paths.append(record.org.path)
    return any(scope.can(Ability.EDIT_MEMBERS, path) for path in paths)


def get_help_for_user(user: Any, pk: Any, *, edit: bool = False) -> HelpRecord:
    """The help record if visible (404), and given `edit`, only if the user may change it (403)."""
    visible = help_visible_to(user).select_related("station__org", "org", "recorded_by")
    found = get_for(user, None, visible, pk, missing="帮扶记录不存在或不在您的管理范围内")
    if edit and not may_edit_help(user, found):
        raise PermissionDenied(refusal_for(Ability.EDIT_MEMBERS))
    return found


def helpable_members(user: Any) -> QuerySet[Member]:
    """Members the user may record help for: those in the subtrees where they maintain members,
    and those the registered sources name (mobile members taking part in their organizations)."""
    scope = scope_for(user)
    q = any_subtree_q("org_path", scope.paths(Ability.EDIT_MEMBERS))
    for source in _MEMBER_SOURCES:
        q |= Q(pk__in=source(user))
    return Member.objects.filter(q)


def may_record_help(user: Any) -> bool:
    """Whether the user maintains members anywhere, or runs a station (维护党员信息)."""
    return scope_for(user).can_anywhere(Ability.EDIT_MEMBERS)


def get_helpable_member(user: Any, pk: Any) -> Member:
    """A member the user may record help for (404 otherwise: nothing is learned)."""
    try:
        found = helpable_members(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise Http404("党员不存在或不在您的管理范围内")
    return found


def find_helpable_members(user: Any, text: str, limit: int = 20) -> list[Member]:
    """Members the user may help whose name, pinyin or initials start with `text`."""
    text = text.strip()
    if not text:
        return []
    q = Q(name__startswith=text) | Q(name_pinyin__startswith=text.lower())
    q |= Q(name_initials__startswith=text.lower())
    return list(
        helpable_members(user).filter(q).select_related("org").order_by("name_pinyin")[:limit]
    )


def stations_near(code: str, limit: int = 10) -> list[Station]:
    """Open stations where a mobile member goes (流入地): those of the same city first, then the
    rest of the province (a 直辖市's code: the whole city). For a stay's page and the member."""
    found = lookup(code)
    if found is None:
        return []
    province = found.province_code
    near = public_stations().filter(region__startswith=province[:2])
    ranked = sorted(near[:200], key=lambda s: (s.region != found.code, s.region, s.name))
    return ranked[:limit]
