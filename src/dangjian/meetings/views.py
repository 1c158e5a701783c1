"""组织生活 pages: the meeting list (filters, 三会一课登记簿), 登记会议, the meeting's page
(details, attendance, minutes, polls, documents), the one-pass 出席登记, 会议记录, the PDFs.

Every meeting comes through `get_meeting_for_user` (404 outside the user's scope; a member sees
the meetings they are invited to, and only their own attendance); every change is one service
call whose refusal is shown on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_org_for_user, orgs_with, scope_for
from dangjian.core.actors import Actor
from dangjian.core.dates import today
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import submit
from dangjian.core.http import attachment
from dangjian.core.printing import PdfFontMissing
from dangjian.meetings import services
from dangjian.meetings.forms import (
    CancelForm,
    ListFilterForm,
    MeetingForm,
    MeetingPollForm,
    MinutesForm,
    StartForm,
    meeting_initial,
)
from dangjian.meetings.models import Attendance, Meeting, MeetingKind
from dangjian.meetings.selectors import (
    attendance_rows,
    away_on,
    filtered,
    get_meeting_for_user,
    incoming_members,
    may_run,
    sees_all,
)

PAGE = 100


@login_required
@require_safe
def meeting_list(request: HttpRequest) -> HttpResponse:
    """组织生活: the meetings the user sees, filtered by organization, kind, status, period."""
    form = ListFilterForm(request.GET)
    params = dict(form.values())
    org = None
    if params.get("org") is not None:
        org = get_org_for_user(request.user, params["org"], Ability.VIEW_MEMBERS)
    params["org"] = org
    meetings = list(filtered(request.user, params)[:PAGE])
    context = {
        "form": form,
        "org": org,
        "meetings": meetings,
        "can_create": orgs_with(request.user, Ability.RUN_MEETINGS).exists(),
        "sees_orgs": scope_for(request.user).sees_orgs,
        "register_start": params.get("start") or dt.date(today().year, 1, 1),
        "register_end": params.get("end") or today(),
    }
    return render(request, "meetings/list.html", context)


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    """登记会议: first the organization and kind (GET), then the meeting itself."""
    orgs = orgs_with(request.user, Ability.RUN_MEETINGS)
    if not orgs.exists():
        raise PermissionDenied("您没有可以组织会议的党组织。")
    data = request.GET.copy()
    if not data.get("org") and orgs.count() == 1:
        data["org"] = str(orgs.get().pk)
    start = StartForm(data if data.get("kind") else None, orgs=orgs, initial=data.dict())
    if not start.is_bound or not start.is_valid():
        return render(request, "meetings/create.html", {"start": start})
    org, kind = start.cleaned_data["org"], start.cleaned_data["kind"]
    form = MeetingForm(request.POST or None, org=org, kind=kind)
    meeting = submit(
        request,
        form,
        lambda _: services.schedule_meeting(
            actor=Actor.from_request(request), org=org, data=form.data_for_service()
        ),
    )
    if meeting is not None:
        late = "（补录）" if meeting.late_entry else ""
        messages.success(request, f"已登记{meeting.get_kind_display()}「{meeting.title}」{late}。")
        return redirect("meetings:detail", pk=meeting.pk)
    context = {"start": start, "form": form, "org": org, "kind": MeetingKind(kind)}
    return render(request, "meetings/create.html", context, status=400 if form.is_bound else 200)


def _detail(
    request: HttpRequest, meeting: Meeting, status: int = 200, **forms: Any
) -> HttpResponse:
    everyone = sees_all(request.user, meeting)
    own = scope_for(request.user).own_member_id
    rows = attendance_rows(meeting)
    if not everyone:
        rows = [a for a in rows if a.member_id == own]
    running = may_run(request.user, meeting)
    context = {
        "meeting": meeting,
        "everyone": everyone,
        "running": running,
        "rows": rows,
        "away": away_on([a.member_id for a in rows if a.expected], meeting.date)
        if everyone
        else {},
        "tally": services.tally(meeting),
        "guests": list(meeting.guests.all()) if everyone else [],
        "topics": [t for t in meeting.topics.splitlines() if t.strip()],
        "polls": services.meeting_polls(meeting),
        "can_poll": running
        and meeting.kind in services.POLL_KINDS
        and meeting.status != Meeting.Status.CANCELLED
        and scope_for(request.user).can(Ability.RUN_VOTES, meeting.org_path),
        "can_roll": running
        and meeting.status != Meeting.Status.CANCELLED
        and meeting.date <= today(),
        "cancel_form": forms.get("cancel_form") or CancelForm(initial={"version": meeting.version}),
        "invited": list(services.invitees_of(meeting).values_list("name", flat=True))
        if everyone
        else [],
    }
    return render(request, "meetings/detail.html", context, status=status)


@login_required
@require_safe
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_meeting_for_user(request.user, pk))


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改会议 before it is held (details and the expected list), 更正 after (details only)."""
    meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
    if meeting.status == Meeting.Status.CANCELLED:
        messages.error(request, "会议已取消，不能再修改。")
        return redirect("meetings:detail", pk=meeting.pk)
    form = MeetingForm(
        request.POST or None,
        org=meeting.org,
        kind=meeting.kind,
        meeting=meeting,
        initial=meeting_initial(meeting),
    )
    done = submit(
        request,
        form,
        lambda c: services.update_meeting(
            actor=Actor.from_request(request),
            meeting=meeting,
            data=form.data_for_service(),
            version=c["version"] or 0,
        ),
    )
    if done is not None:
        messages.success(request, "已保存会议信息。")
        return redirect("meetings:detail", pk=meeting.pk)
    context = {"form": form, "meeting": meeting}
    return render(request, "meetings/edit.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def meeting_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """发送会议通知."""
    meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
    try:
        told = services.send_notice(actor=Actor.from_request(request), meeting=meeting)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已发送会议通知（站内通知 {told} 人）。")
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
    form = CancelForm(request.POST)
    done = submit(
        request,
        form,
        lambda c: services.cancel_meeting(
            actor=Actor.from_request(request),
            meeting=meeting,
            reason=c["reason"],
            version=c["version"],
        ),
    )
    if done is not None:
        messages.success(request, "已取消会议。")
        return redirect("meetings:detail", pk=meeting.pk)
    return _detail(request, meeting, 400, cancel_form=form)


# ---- attendance in one pass -------------------------------------------------------------------


def _posted_rows(request: HttpRequest, meeting: Meeting) -> list[services.AttendanceRow]:
    rows = []
    for a in services.expected_rows(meeting):
        status = request.POST.get(f"s{a.member_id}", Attendance.Status.PRESENT)
        reason = request.POST.get(f"r{a.member_id}", "")
        rows.append(services.AttendanceRow(a.member_id, status, reason))
    for raw in request.POST.getlist("extra"):
        if raw.isdigit():
            rows.append(services.AttendanceRow(int(raw), Attendance.Status.PRESENT))
    return rows


def _posted_guests(request: HttpRequest) -> list[services.GuestRow]:
    names = request.POST.getlist("guest_name")
    places = request.POST.getlist("guest_aff")
    return [
        services.GuestRow(name, places[i] if i < len(places) else "")
        for i, name in enumerate(names)
        if name.strip()
    ]


def _roll_context(meeting: Meeting, request: HttpRequest | None = None) -> dict[str, Any]:
    rows = attendance_rows(meeting)
    expected = services.expected_rows(meeting)
    posted = request.POST if request is not None else None
    lines = []
    for a in expected:
        status = (posted.get(f"s{a.member_id}") if posted else None) or a.status or "present"
        reason = posted.get(f"r{a.member_id}", "") if posted else a.reason
        lines.append({"a": a, "status": status, "reason": reason})
    extra_ids = {a.member_id for a in rows if not a.expected}
    if posted is not None:
        extra_ids = {int(v) for v in posted.getlist("extra") if v.isdigit()}
    candidates = {m.pk: m for m in incoming_members(meeting.org, meeting.date)}
    for a in rows:
        if not a.expected:
            candidates.setdefault(a.member_id, a.member)
    guests = list(meeting.guests.all()) if posted is None else _posted_guests(request)  # type: ignore[arg-type]
    return {
        "meeting": meeting,
        "lines": lines,
        "away": away_on([a.member_id for a in expected], meeting.date),
        "candidates": sorted(candidates.values(), key=lambda m: m.name_pinyin or m.name),
        "extra_ids": extra_ids,
        "guests": guests,
        "blank_guests": range(2),
        "statuses": Attendance.Status.choices,
        "tally": services.tally(meeting),
    }


@login_required
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """出席登记: every expected member 出席 by default; one 保存 for the common case."""
    meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
    if request.method == "POST":
        version = request.POST.get("version", "")
        try:
            services.record_attendance(
                actor=Actor.from_request(request),
                meeting=meeting,
                rows=_posted_rows(request, meeting),
                version=int(version) if version.isdigit() else -1,
                guests=_posted_guests(request),
            )
        except DomainError as exc:
            context = _roll_context(meeting, request) | {"error": exc.message}
            return render(request, "meetings/attendance.html", context, status=400)
        meeting.refresh_from_db()
        t = services.tally(meeting)
        messages.success(
            request,
            f"已保存出席情况：应到 {t.expected} 人，实到 {t.present} 人，"
            f"请假 {t.leave} 人，缺席 {t.absent} 人。",
        )
        return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/attendance.html", _roll_context(meeting))


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """会议记录: 讨论情况 and 决定事项."""
    meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
    initial = {
        "discussion": meeting.discussion,
        "decisions": meeting.decisions,
        "version": meeting.version,
    }
    form = MinutesForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda c: services.record_minutes(
            actor=Actor.from_request(request),
            meeting=meeting,
            discussion=c["discussion"],
            decisions=c["decisions"],
            version=c["version"],
        ),
    )
    if done is not None:
        messages.success(request, "已保存会议记录。")
        return redirect("meetings:detail", pk=meeting.pk)
    context = {"form": form, "meeting": meeting}
    return render(request, "meetings/minutes.html", context, status=400 if form.is_bound else 200)


@login_required
def meeting_poll(request: HttpRequest, pk: int) -> HttpResponse:
    """在会上表决: a motion of the meeting's organization whose 到会 is the meeting's."""
    meeting = get_meeting_for_user(request.user, pk, Ability.RUN_MEETINGS)
    if not scope_for(request.user).can(Ability.RUN_VOTES, meeting.org_path):
        raise PermissionDenied("您在该组织没有“组织表决和选举”的权限")
    form = MeetingPollForm(request.POST or None)
    poll = submit(
        request,
        form,
        lambda _: services.create_meeting_poll(
            actor=Actor.from_request(request), meeting=meeting, draft=form.draft(meeting)
        ),
    )
    if poll is not None:
        messages.success(request, f"已创建表决「{poll.title}」，到会情况取自会议的出席登记。")
        return redirect("votes:detail", pk=poll.pk)
    context = {"form": form, "meeting": meeting}
    return render(request, "meetings/poll.html", context, status=400 if form.is_bound else 200)


# ---- printing ---------------------------------------------------------------------------------


def _pdf_error(request: HttpRequest, exc: PdfFontMissing) -> HttpResponse:
    return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)


@login_required
@require_safe
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """会议记录 (PDF)."""
    meeting = get_meeting_for_user(request.user, pk, Ability.VIEW_MEMBERS)
    url = request.build_absolute_uri(meeting_url(meeting))
    try:
        body = services.print_minutes(
            actor=Actor.from_request(request), meeting=meeting, record_url=url
        )
    except PdfFontMissing as exc:
        return _pdf_error(request, exc)
    name = f"会议记录-{meeting.org.name}-{meeting.date:%Y%m%d}.pdf"
    return attachment(body, name, "application/pdf", inline=True)


@login_required
@require_safe
def register_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """三会一课登记簿 of an organization for a period (?start=&end=, this year by default)."""
    org = get_org_for_user(request.user, pk, Ability.VIEW_MEMBERS)
    form = ListFilterForm(request.GET)
    params = form.values()
    start = params.get("start") or dt.date(today().year, 1, 1)
    end = params.get("end") or today()
    try:
        body = services.print_register(
            actor=Actor.from_request(request), org=org, start=start, end=end
        )
    except PdfFontMissing as exc:
        return _pdf_error(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("meetings:list")
    name = f"三会一课登记簿-{org.name}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
    return attachment(body, name, "application/pdf", inline=True)


def meeting_url(meeting: Meeting) -> str:
    from django.urls import reverse

    return reverse("meetings:detail", args=[meeting.pk])
