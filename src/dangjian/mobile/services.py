"""流动党员: one function per operation (register a stay, record a contact or a participation,
issue the 活动证, return, close on transfer). Each runs in one transaction, locks what it
changes, and leaves one audit entry.

Who acts:
- the home side (流出地): `EDIT_MEMBERS` on the member's organization at registration (the stay's
  `home_path`) registers, records contacts, issues the 活动证 and records the return;
- the destination side (流入地): `EDIT_MEMBERS` on the destination organization records the
  member's participation there. A destination outside this installation reports to the home
  side, which then records it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.dates import today
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.models import rule_value
from dangjian.core.paths import subtree_q
from dangjian.core.replica import replica_ok
from dangjian.members.choices import MemberStatus
from dangjian.members.models import Member
from dangjian.mobile.models import MobileContact, MobileParticipation, MobileStay
from dangjian.mobile.regions import region_problem
from dangjian.orgs.models import Organization, OrgKind

REGISTER = register_action("mobile.register_stay", "登记流动党员外出")
CONTACT = register_action("mobile.record_contact", "登记流动党员联系")
PARTICIPATION = register_action("mobile.record_participation", "登记流动党员参加组织生活")
PERMIT = register_action("mobile.issue_permit", "发放流动党员活动证")
RETURN = register_action("mobile.end_stay", "登记流动党员返回")
CLOSE_FOR_TRANSFER = register_action("mobile.close_for_transfer", "组织关系转出结束流动登记")
VIEW_INFORMATION = register_action(
    "mobile.export_information", "导出流动党员信息", tone="sensitive"
)
PRINT_PERMIT = register_action("mobile.print_permit", "打印流动党员活动证", tone="sensitive")

S = MobileStay.Status


@dataclass
class StayData:
    """What the home branch records when a member leaves (外出登记)."""

    region_code: str
    address: str
    reason: str
    expected_months: int
    start_on: dt.date
    phone: str = ""
    contact_note: str = ""
    destination_org: Organization | None = None
    destination_text: str = ""
    cannot_transfer: bool = False
    permit_number: str = ""
    permit_valid_until: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _months(key: str, on: dt.date) -> int:
    return int(rule_value(key, on))


def _require(actor: Any, ability: str, path: str, message: str) -> None:
    if actor_user(actor) is None:
        return  # the system's own work (demo seeding, management commands)
    if not scope_for(actor).can(ability, path):
        raise DomainError(message)


def permit_allowed(expected_months: int, cannot_transfer: bool, on: dt.date) -> bool:
    """活动证: for stays of at most `mobile.permit_max_months`, or members unable to transfer."""
    return cannot_transfer or expected_months <= _months("mobile.permit_max_months", on)


def default_permit_valid_until(start: dt.date) -> dt.date:
    return (
        start
        + relativedelta(months=_months("mobile.permit_valid_months", start))
        - dt.timedelta(days=1)
    )


def _check_permit(number: str, valid_until: dt.date | None, stay_like: Any) -> None:
    if not number and valid_until is None:
        return
    if not number:
        raise DomainError("请填写活动证编号。", field="permit_number")
    if valid_until is None:
        raise DomainError("请填写活动证有效期。", field="permit_valid_until")
    if valid_until < stay_like.start_on:
        raise DomainError("活动证有效期不能早于外出日期。", field="permit_valid_until")
    if not permit_allowed(stay_like.expected_months, stay_like.cannot_transfer, stay_like.start_on):
        limit = _months("mobile.permit_max_months", stay_like.start_on)
        raise DomainError(
            f"预计外出超过 {limit} 个月且可以转移组织关系的，应转移组织关系，不发放流动党员活动证"
            "（中组部《关于试行〈流动党员活动证〉制度的通知》）。",
            field="permit_number",
        )


def _check_destination(data: StayData) -> None:
    if data.destination_org is not None and data.destination_text:
        raise DomainError(
            "流入地党组织请选择本系统内的组织或填写名称，二者择一。", field="destination_text"
        )
    if data.destination_org is not None and data.destination_org.kind == OrgKind.GROUP:
        raise DomainError("流入地党组织应为党支部或党委，不能是党小组。", field="destination_org")


def register_stay(*, actor: Any, member: Member, data: StayData) -> MobileStay:
    """外出登记: the member leaves; at most one open stay per member."""
    problem = region_problem(data.region_code)
    if problem:
        raise DomainError(problem, field="region_code")
    if not data.address.strip():
        raise DomainError("请填写流入地详细地址。", field="address")
    if data.expected_months < 1:
        raise DomainError("预计外出时间至少为 1 个月。", field="expected_months")
    if data.start_on > today():
        raise DomainError("外出日期不能晚于今天。", field="start_on")
    _check_destination(data)
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        _require(actor, Ability.EDIT_MEMBERS, locked.org_path, "您没有登记该党员外出的权限。")
        if locked.status != MemberStatus.ACTIVE:
            raise DomainError(f"{locked.name}不在党内，不能登记外出。")
        if locked.join_date and data.start_on < locked.join_date:
            raise DomainError("外出日期不能早于入党日期。", field="start_on")
        if MobileStay.objects.filter(member=locked, status=S.OPEN).exists():
            raise DomainError(f"{locked.name}已有未结束的外出登记，请先登记返回。")
        stay = MobileStay(
            member=locked,
            home_org_id=locked.org_id,
            home_path=locked.org_path,
            region_code=data.region_code,
            address=data.address.strip(),
            reason=data.reason,
            expected_months=data.expected_months,
            phone=data.phone.strip(),
            contact_note=data.contact_note.strip(),
            destination_org=data.destination_org,
            destination_path=data.destination_org.path if data.destination_org else "",
            destination_text=data.destination_text.strip(),
            start_on=data.start_on,
            cannot_transfer=data.cannot_transfer,
            permit_number=data.permit_number.strip(),
            permit_valid_until=data.permit_valid_until,
            contact_since=data.start_on,
            created_by=actor_user(actor),
        )
        _check_permit(stay.permit_number, stay.permit_valid_until, stay)
        try:
            with transaction.atomic():
                stay.save()
        except IntegrityError as exc:  # a concurrent registration won (mobile_one_open_stay)
            raise DomainError(f"{locked.name}已有未结束的外出登记，请先登记返回。") from exc
        record_audit(REGISTER, actor=actor, target=stay, detail=_detail(stay))
    return stay


def _detail(stay: MobileStay) -> dict[str, Any]:
    return {
        "member": stay.member.name,
        "流入地": f"{stay.region_code} {stay.address}",
        "流入地党组织": stay.destination_name,
        "外出日期": stay.start_on.isoformat(),
        "预计外出时间（月）": stay.expected_months,
    }


def _locked(stay: MobileStay, version: int | None = None) -> MobileStay:
    locked = MobileStay.objects.select_for_update().select_related("member").get(pk=stay.pk)
    if version is not None and locked.version != version:
        raise ConcurrentEditError("该外出登记")
    return locked


def _home_only(actor: Any, stay: MobileStay) -> None:
    _require(actor, Ability.EDIT_MEMBERS, stay.home_path, "只有流出地党组织可以办理此事项。")


def _open_only(stay: MobileStay) -> None:
    if stay.status != S.OPEN:
        raise DomainError("该外出登记已结束。")


def _check_day(on: dt.date, stay: MobileStay, label: str) -> None:
    if on > today():
        raise DomainError(f"{label}不能晚于今天。", field="on")
    if on < stay.start_on:
        raise DomainError(f"{label}不能早于外出日期（{stay.start_on:%Y-%m-%d}）。", field="on")


def record_contact(
    *, actor: Any, stay: MobileStay, on: dt.date, means: str, note: str = ""
) -> MobileContact:
    """联系记录: the home side kept contact; the no-contact period counts again from `on`."""
    with transaction.atomic():
        locked = _locked(stay)
        _home_only(actor, locked)
        _open_only(locked)
        _check_day(on, locked, "联系日期")
        contact = MobileContact.objects.create(
            stay=locked, on=on, means=means, note=note.strip(), recorded_by=actor_user(actor)
        )
        if locked.last_contact_on is None or on > locked.last_contact_on:
            locked.last_contact_on = on
            locked.contact_since = max(on, locked.start_on)
            locked.version += 1
            locked.save(update_fields=["last_contact_on", "contact_since", "version"])
        record_audit(
            CONTACT,
            actor=actor,
            target=locked,
            detail={"联系日期": on.isoformat(), "联系方式": contact.get_means_display()},
        )
    stay.refresh_from_db()
    return contact


def may_record_participation(user: Any, stay: MobileStay) -> bool:
    scope = scope_for(user)
    if stay.destination_path:
        return scope.can(Ability.EDIT_MEMBERS, stay.destination_path)
    return scope.can(Ability.EDIT_MEMBERS, stay.home_path)


def record_participation(
    *, actor: Any, stay: MobileStay, on: dt.date, kind: str, note: str = ""
) -> MobileParticipation:
    """参加组织生活: recorded by the destination organization (or, for one outside this
    installation, by the home side from its report). It gives no vote there."""
    with transaction.atomic():
        locked = _locked(stay)
        if actor_user(actor) is not None and not may_record_participation(actor, locked):
            raise DomainError("只有流入地党组织可以登记参加组织生活情况。")
        _open_only(locked)
        _check_day(on, locked, "活动日期")
        row = MobileParticipation.objects.create(
            stay=locked, on=on, kind=kind, note=note.strip(), recorded_by=actor_user(actor)
        )
        record_audit(
            PARTICIPATION,
            actor=actor,
            target=locked,
            detail={"日期": on.isoformat(), "活动": row.get_kind_display()},
        )
    return row


def issue_permit(
    *, actor: Any, stay: MobileStay, number: str, valid_until: dt.date, version: int
) -> MobileStay:
    """发放（或换发）流动党员活动证."""
    with transaction.atomic():
        locked = _locked(stay, version)
        _home_only(actor, locked)
        _open_only(locked)
        _check_permit(number.strip(), valid_until, locked)
        before = {"活动证编号": locked.permit_number, "有效期至": str(locked.permit_valid_until)}
        locked.permit_number, locked.permit_valid_until = number.strip(), valid_until
        locked.version += 1
        locked.save(update_fields=["permit_number", "permit_valid_until", "version"])
        after = {"活动证编号": locked.permit_number, "有效期至": valid_until.isoformat()}
        record_audit(PERMIT, actor=actor, target=locked, detail={"before": before, "after": after})
    return locked


def end_stay(*, actor: Any, stay: MobileStay, on: dt.date, version: int) -> MobileStay:
    """返回: the member is back; the stay is closed."""
    with transaction.atomic():
        locked = _locked(stay, version)
        _home_only(actor, locked)
        _open_only(locked)
        _check_day(on, locked, "返回日期")
        _close(locked, on, S.RETURNED)
        record_audit(RETURN, actor=actor, target=locked, detail={"返回日期": on.isoformat()})
    return locked


def _close(stay: MobileStay, on: dt.date, status: str) -> None:
    stay.status, stay.end_on = status, on
    stay.version += 1
    stay.save(update_fields=["status", "end_on", "version"])


def close_for_transfer(*, actor: Any, member: Member, on: dt.date) -> MobileStay | None:
    """The member's relationship moved (组织关系转出/转接): close the open stay, if any.

    Called by the transfers work system inside its own transaction, after its own ability
    check; no-op (None) when the member has no open stay. A stay that began after `on` is
    closed on its first day.
    """
    with transaction.atomic():
        stay = (
            MobileStay.objects.select_for_update()
            .select_related("member")
            .filter(member_id=member.pk, status=S.OPEN)
            .first()
        )
        if stay is None:
            return None
        _close(stay, max(on, stay.start_on), S.TRANSFERRED)
        record_audit(
            CLOSE_FOR_TRANSFER, actor=actor, target=stay, detail={"结束日期": on.isoformat()}
        )
    return stay


def end_for_status_change(member_id: int, before: Any, after: Any) -> MobileStay | None:
    """The register says the member is no longer in the Party here (转出, 出党, 停止党籍, 去世 …):
    end the open stay on the day the last spell ended, so it is no longer counted as away.

    `members` may not call this work system (layers), so `watch.StayWatcher` hears the change
    inside the writer's transaction; `before`/`after` are `members.watch.Facts`. The writer's
    own audit record (the 党籍变动) says who did it.
    """
    was, now = before[0].get("status"), after[0].get("status")
    if was != MemberStatus.ACTIVE or now == MemberStatus.ACTIVE:
        return None
    stay = MobileStay.objects.select_for_update().filter(member_id=member_id, status=S.OPEN).first()
    if stay is None:
        return None
    ends = [spell[2] for spell in after[1] if spell[2] is not None]
    on = max(ends) if ends else today()
    status = S.TRANSFERRED if now == MemberStatus.TRANSFERRED_OUT else S.ENDED
    _close(stay, max(on, stay.start_on), status)
    return stay


def repath_stays(old_prefix: str, new_prefix: str) -> None:
    """A subtree moved: rewrite the home and destination paths copied onto its stays, as
    `members.repath_members` does for members (one UPDATE per column)."""
    cut = len(old_prefix) + 1
    for column in ("home_path", "destination_path"):
        MobileStay.objects.filter(subtree_q(column, old_prefix)).update(
            **{column: Concat(Value(new_prefix), Substr(column, cut))}
        )


def print_permit(*, actor: Any, stay: MobileStay, record_url: str) -> bytes:
    """打印流动党员活动证: the home side, once the 活动证 is issued; every print is audited."""
    from dangjian.core.names import person_name
    from dangjian.mobile.pdf import permit_pdf

    _home_only(actor, stay)
    if not stay.permit_number:
        raise DomainError("该外出登记尚未发放流动党员活动证。")
    record_audit(PRINT_PERMIT, actor=actor, target=stay, detail={"活动证编号": stay.permit_number})
    return permit_pdf(stay, printed_by=person_name(actor_user(actor)), record_url=record_url)


def export_information(
    *, actor: Any, org: Organization, on: dt.date, region: str = "", which: str = "all"
) -> bytes:
    """导出流动党员信息 (.xlsx): the list behind the information view, phones masked; audited."""
    import io

    from openpyxl import Workbook

    from dangjian.core.masking import mask_phone
    from dangjian.core.spreadsheet import text_cell
    from dangjian.mobile.regions import region_name
    from dangjian.mobile.selectors import Limits, flags, information_list

    _require(actor, Ability.VIEW_MEMBERS, org.path, "您没有查看该组织流动党员信息的权限。")
    limits = Limits.on(on)
    book = Workbook(write_only=True)
    ws = book.create_sheet("流动党员")
    ws.append(
        ["姓名", "流出地党组织", "流入地", "详细地址", "流入地党组织", "外出日期", "外出原因",
         "联系电话", "最近联系", "未联系天数", "提示"]
    )  # fmt: skip
    rows = 0
    with replica_ok():  # an export may be a little stale; the permission above is not
        stays = information_list(org, limits, region=region, which=which)
        for stay in stays.select_related("member", "home_org", "destination_org").iterator(2000):
            f = flags(stay, limits)
            notes = [
                label
                for label, on_ in (
                    ("失去联系", f.lost),
                    ("超期未联系", f.overdue and not f.lost),
                    ("应转移组织关系", f.transfer_proposed),
                )
                if on_
            ]
            ws.append(
                [
                    text_cell(ws, stay.member.name),
                    text_cell(ws, stay.home_org.name),
                    text_cell(ws, region_name(stay.region_code)),
                    text_cell(ws, stay.address),
                    text_cell(ws, stay.destination_name),
                    stay.start_on,
                    stay.get_reason_display(),
                    mask_phone(stay.phone),
                    stay.last_contact_on,
                    f.days_without_contact,
                    "、".join(notes),
                ]
            )
            rows += 1
    record_audit(
        VIEW_INFORMATION,
        actor=actor,
        target=org,
        detail={"日期": on.isoformat(), "行政区划": region, "范围": which, "行数": rows},
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
