"""党员服务站 pages: the registry of stations, the public list, and help records.

Stations come through `get_station_for_user` and help records through `get_help_for_user`
(404 outside the user's scope, 403 without the ability); every change is one service call whose
refusal is shown on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import orgs_with, scope_for
from dangjian.core.actors import Actor
from dangjian.core.forms import submit
from dangjian.orgs.models import Organization, OrganizationQuerySet
from dangjian.stations import services
from dangjian.stations.forms import HelpForm, MemberSearchForm, StationForm
from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.regions import region
from dangjian.stations.selectors import (
    contact_phone_for,
    find_helpable_members,
    get_help_for_user,
    get_helpable_member,
    get_station_for_user,
    help_visible_to,
    may_edit_help,
    may_manage_station,
    may_record_help,
    public_stations,
    stations_visible_to,
)

# ---- stations ---------------------------------------------------------------------------------


@require_safe
@login_required
def station_list(request: HttpRequest) -> HttpResponse:
    """服务站: the stations of the organizations the user sees."""
    stations = stations_visible_to(request.user).select_related("org")[:500]
    can_create = orgs_with(request.user, Ability.MANAGE_ORGS).exists()
    context = {
        "stations": stations,
        "can_create": can_create,
        "can_help": may_record_help(request.user),
    }
    return render(request, "stations/list.html", context)


@login_required
def station_create(request: HttpRequest) -> HttpResponse:
    """建立服务站, under an organization the user maintains."""
    orgs = orgs_with(request.user, Ability.MANAGE_ORGS)
    if not orgs.exists():
        raise PermissionDenied("您没有可以建立服务站的党组织。")
    initial = {"org": orgs.first()} if orgs.count() == 1 else {}
    form = StationForm(request.POST or None, orgs=orgs, initial=initial)
    station = submit(
        request,
        form,
        lambda data: services.create_station(
            actor=Actor.from_request(request), org=data["org"], values=form.values()
        ),
    )
    if station is not None:
        messages.success(request, f"已建立「{station.name}」。")
        return redirect("stations:detail", pk=station.pk)
    status = 400 if form.is_bound else 200
    return render(request, "stations/form.html", {"form": form, "station": None}, status=status)


@require_safe
@login_required
def station_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """服务站: its details (the contact's mobile masked unless the user manages it) and the help
    given there that the user may see."""
    station = get_station_for_user(request.user, pk)
    helps = help_visible_to(request.user).filter(station=station).order_by("-date", "-id")[:100]
    context = {
        "station": station,
        "manage": may_manage_station(request.user, station),
        "contact_phone": contact_phone_for(request.user, station),
        "helps": helps,
        "can_help": may_record_help(request.user),
    }
    return render(request, "stations/detail.html", context)


@login_required
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改服务站."""
    station = get_station_for_user(request.user, pk, Ability.MANAGE_ORGS)
    orgs = orgs_with(request.user, Ability.MANAGE_ORGS)
    form = StationForm(request.POST or None, instance=station, orgs=orgs)
    saved = submit(
        request,
        form,
        lambda data: services.update_station(
            actor=Actor.from_request(request),
            station=Station.objects.get(pk=station.pk),
            expected_version=data["version"] or 0,
            values=form.values(),
        ),
    )
    if saved is not None:
        messages.success(request, f"已保存「{saved.name}」。")
        return redirect("stations:detail", pk=saved.pk)
    status = 400 if form.is_bound else 200
    return render(request, "stations/form.html", {"form": form, "station": station}, status=status)


@require_safe
def public_list(request: HttpRequest) -> HttpResponse:
    """党员服务站名录 (no login): open stations with their address, hours, services and the
    number they publish. No member data, no contact's own mobile."""
    stations = public_stations()
    present = sorted({code[:2] + "0000" for code in stations.values_list("region", flat=True)})
    provinces = [(code, region(code)) for code in present]
    chosen = request.GET.get("province", "")
    if chosen in present:
        stations = stations.filter(region__startswith=chosen[:2])
    context = {"stations": stations, "provinces": provinces, "chosen": chosen}
    return render(request, "stations/public.html", context)


# ---- help records -----------------------------------------------------------------------------


@require_safe
@login_required
def help_list(request: HttpRequest) -> HttpResponse:
    """帮扶记录 the user sees, newest first, by kind."""
    kind = request.GET.get("kind", "")
    helps = help_visible_to(request.user)
    if kind in HelpRecord.Kind.values:
        helps = helps.filter(kind=kind)
    context = {
        "helps": helps.order_by("-date", "-id")[:200],
        "kinds": HelpRecord.Kind.choices,
        "kind": kind,
        "can_help": may_record_help(request.user),
    }
    return render(request, "stations/help_list.html", context)


@login_required
def help_create(request: HttpRequest) -> HttpResponse:
    """登记帮扶: first the member (searched by name, or `?member=` from their page), then the
    record. `?station=` preselects the station."""
    if not may_record_help(request.user):
        raise PermissionDenied("您没有登记帮扶记录的权限。")
    member_pk = request.GET.get("member") or request.POST.get("member")
    if not member_pk:
        search = MemberSearchForm(request.GET or None)
        found = (
            find_helpable_members(request.user, search.data.get("q", "")) if search.is_bound else []
        )
        context = {"search": search, "found": found, "station": request.GET.get("station", "")}
        return render(request, "stations/help_member.html", context)
    member = get_helpable_member(request.user, member_pk)
    initial = {"station": request.GET.get("station") or None}
    form = HelpForm(request.POST or None, initial=initial, orgs=_help_orgs(request))
    record = submit(
        request,
        form,
        lambda data: services.record_help(
            actor=Actor.from_request(request), member=member, values=form.values()
        ),
    )
    if record is not None:
        messages.success(request, f"已登记{member.name}的帮扶记录。")
        return redirect("stations:help-detail", pk=record.pk)
    context = {"form": form, "member": member, "record": None}
    return render(request, "stations/help_form.html", context, status=400 if form.is_bound else 200)


def _help_orgs(request: HttpRequest, record: HelpRecord | None = None) -> OrganizationQuerySet:
    """The organizations a help record may name as its giver: where the user maintains members
    (and the one the record names already)."""
    orgs = orgs_with(request.user, Ability.EDIT_MEMBERS, holding_members=True)
    if record is not None and record.org_id is not None:
        orgs = orgs | Organization.objects.filter(pk=record.org_id)
    return orgs


@require_safe
@login_required
def help_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """帮扶记录."""
    record = get_help_for_user(request.user, pk)
    scope = scope_for(request.user)
    station = record.station
    context = {
        "record": record,
        "edit": may_edit_help(request.user, record),
        "member_link": scope.can(Ability.VIEW_MEMBERS, record.member.org_path),
        "station_link": station is not None and scope.can(Ability.VIEW_MEMBERS, station.org.path),
    }
    return render(request, "stations/help_detail.html", context)


@login_required
def help_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改帮扶记录."""
    record = get_help_for_user(request.user, pk, edit=True)
    form = HelpForm(request.POST or None, instance=record, orgs=_help_orgs(request, record))
    saved = submit(
        request,
        form,
        lambda data: services.update_help(
            actor=Actor.from_request(request),
            record=get_help_for_user(request.user, pk, edit=True),
            expected_version=data["version"] or 0,
            values=form.values(),
        ),
    )
    if saved is not None:
        messages.success(request, "已保存帮扶记录。")
        return redirect("stations:help-detail", pk=saved.pk)
    context = {"form": form, "member": record.member, "record": record}
    return render(request, "stations/help_form.html", context, status=400 if form.is_bound else 200)
