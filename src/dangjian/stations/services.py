"""Writes of the stations app: one function per operation, each checking the ability, saving
in one transaction with its audit entry, and refusing a concurrent edit (`version`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import refusal_for, scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import before_after, record_audit
from dangjian.core.actors import actor_user
from dangjian.core.dates import range_problem
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.masking import mask_phone
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.stations.models import HelpRecord, Station
from dangjian.stations.regions import region
from dangjian.stations.selectors import helpable_members, may_edit_help

CREATE_STATION = register_action("stations.create_station", "建立党员服务站")
UPDATE_STATION = register_action("stations.update_station", "修改党员服务站")
RECORD_HELP = register_action("stations.record_help", "登记帮扶记录")
UPDATE_HELP = register_action("stations.update_help", "修改帮扶记录")

STATION_FIELDS = (
    "name",
    "kind",
    "org",
    "region",
    "address",
    "contact_name",
    "contact_phone",
    "public_phone",
    "opening_hours",
    "services",
    "is_open",
)
HELP_FIELDS = ("kind", "date", "station", "org", "description", "outcome", "given_by")


def _refuse_unless(actor: Any, ability: str, org: Organization, what: str = "") -> None:
    if not scope_for(actor).can(ability, org.path):
        raise DomainError(what or refusal_for(ability), field="org")


def _check(record: Model, exclude: list[str]) -> None:
    """The model's own checks (lengths, choices, the region code), as a DomainError naming the
    first field at fault."""
    try:
        record.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        label = (
            getattr(record._meta.get_field(field), "verbose_name", "") if field != "__all__" else ""
        )
        raise DomainError(f"{label}：{messages[0]}" if label else messages[0], field=field) from exc


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def _station_facts(station: Station) -> dict[str, Any]:
    facts = {f: _plain(getattr(station, f)) for f in STATION_FIELDS}
    facts["region"] = region(station.region) or station.region
    facts["phone"] = facts.pop("contact_phone")  # before_after masks it (audit.services.MASKS)
    return facts


# ---- stations ---------------------------------------------------------------------------------


def create_station(*, actor: Any, org: Organization, values: dict[str, Any]) -> Station:
    """建立服务站: by a holder of 维护党组织 on the hosting organization."""
    _refuse_unless(actor, Ability.MANAGE_ORGS, org, "您不能在该党组织下建立服务站。")
    if not org.is_active:
        raise DomainError("已撤销的党组织不能建立服务站。", field="org")
    station = Station(org=org, **{k: v for k, v in values.items() if k != "org"})
    _check(station, exclude=["org"])
    with transaction.atomic():
        station._history_user = actor_user(actor)  # type: ignore[attr-defined]
        station.save()
        facts = _station_facts(station) | {"phone": mask_phone(station.contact_phone)}
        record_audit(CREATE_STATION, actor=actor, target=station, detail=facts)
    return station


def update_station(
    *, actor: Any, station: Station, expected_version: int, values: dict[str, Any]
) -> Station:
    """修改服务站 (its details, opening or closing it, or handing it to another organization in
    the actor's scope)."""
    _refuse_unless(actor, Ability.MANAGE_ORGS, station.org)
    new_org = values.get("org", station.org)
    if new_org.pk != station.org_id:
        _refuse_unless(actor, Ability.MANAGE_ORGS, new_org, "您不能把服务站交给该党组织主办。")
        if not new_org.is_active:
            raise DomainError("已撤销的党组织不能主办服务站。", field="org")
    before = _station_facts(station)
    for key, value in values.items():
        setattr(station, key, value)
    _check(station, exclude=["org"])
    with transaction.atomic():
        moved = Station.objects.filter(pk=station.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if moved != 1:
            raise ConcurrentEditError(f"服务站「{station.name}」的信息")
        station.version = expected_version + 1
        station._history_user = actor_user(actor)  # type: ignore[attr-defined]
        station.save()
        record_audit(
            UPDATE_STATION,
            actor=actor,
            target=station,
            detail=before_after(before, _station_facts(station)),
        )
    return station


# ---- help records -----------------------------------------------------------------------------


def _check_help(actor: Any, record: HelpRecord) -> None:
    problem = range_problem(record.date, label="帮扶日期")
    if problem:
        raise DomainError(problem, field="date")
    if (
        record.station is not None
        and not record.station.is_open
        and record.station_id != getattr(record, "_old_station_id", None)
    ):
        raise DomainError(f"服务站「{record.station.name}」已停止开放，不能再登记在它名下。",
                          field="station")  # fmt: skip
    if record.org is not None and not scope_for(actor).can(Ability.EDIT_MEMBERS, record.org.path):
        raise DomainError("帮扶党组织：您在该党组织没有“维护党员信息”的权限。", field="org")
    if not may_edit_help(actor_user(actor), record):
        raise DomainError(
            "只有帮扶对象所在党组织、所选服务站的主办党组织或帮扶党组织中维护党员信息的人员"
            "可以登记帮扶，请选择服务站或帮扶党组织。",
            field="org",
        )
    _check(record, exclude=["member", "station", "org", "recorded_by"])


def _help_facts(record: HelpRecord) -> dict[str, Any]:
    facts = {f: _plain(getattr(record, f)) for f in HELP_FIELDS}
    facts["kind"] = record.get_kind_display()
    facts["member"] = record.member.name
    return facts


def record_help(*, actor: Any, member: Member, values: dict[str, Any]) -> HelpRecord:
    """登记帮扶: for a member in the actor's scope or named by a registered source (a mobile
    member taking part in the actor's organization)."""
    if not helpable_members(actor_user(actor)).filter(pk=member.pk).exists():
        raise DomainError("该党员不在您可以登记帮扶的范围内。", field="member")
    record = HelpRecord(member=member, recorded_by=actor_user(actor), **values)
    _check_help(actor, record)
    with transaction.atomic():
        record._history_user = actor_user(actor)  # type: ignore[attr-defined]
        record.save()
        record_audit(RECORD_HELP, actor=actor, target=record, detail=_help_facts(record))
    return record


def update_help(
    *, actor: Any, record: HelpRecord, expected_version: int, values: dict[str, Any]
) -> HelpRecord:
    """修改帮扶记录 (its outcome, most often, once known)."""
    if not may_edit_help(actor_user(actor), record):
        raise DomainError(refusal_for(Ability.EDIT_MEMBERS), field="member")
    before = _help_facts(record)
    record._old_station_id = record.station_id  # type: ignore[attr-defined]
    for key, value in values.items():
        setattr(record, key, value)
    _check_help(actor, record)
    with transaction.atomic():
        moved = HelpRecord.objects.filter(pk=record.pk, version=expected_version).update(
            version=F("version") + 1
        )
        if moved != 1:
            raise ConcurrentEditError("该帮扶记录")
        record.version = expected_version + 1
        record._history_user = actor_user(actor)  # type: ignore[attr-defined]
        record.save()
        record_audit(
            UPDATE_HELP,
            actor=actor,
            target=record,
            detail=before_after(before, _help_facts(record)),
        )
    return record
