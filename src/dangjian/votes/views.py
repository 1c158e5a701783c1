"""表决与选举 pages: the list, creating a poll, the poll page with its actions, the voter's
phone page, the result and its printed record.

Every poll comes through `get_poll_for_user` (404 outside the user's scope, 403 for an action
without management rights); every change is one service call whose refusal is shown on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from dangjian.core.exceptions import DomainError
from dangjian.core.forms import submit
from dangjian.core.http import attachment
from dangjian.orgs.selectors import writable_orgs
from dangjian.rosters.pdf import PdfFontMissing
from dangjian.votes import services
from dangjian.votes.forms import (
    CountsForm,
    PollForm,
    StartForm,
    VersionForm,
    ballot_choices,
    ballot_rows,
    paper_ballot_choices,
)
from dangjian.votes.models import Candidate, Poll
from dangjian.votes.pdf import poll_record_pdf
from dangjian.votes.selectors import (
    get_poll_for_user,
    may_manage,
    poll_report,
    polls_visible_to,
    rules_in_words,
    turnout,
    voter_for,
)

Kind, Status, Method = Poll.Kind, Poll.Status, Poll.Method

# ---- list and create --------------------------------------------------------------------------


@require_safe
@login_required
def poll_list(request: HttpRequest) -> HttpResponse:
    """表决与选举: the polls the user sees, newest first."""
    polls = polls_visible_to(request.user).order_by("-created_at", "-id")[:200]
    can_create = writable_orgs(request.user, holding_members=True).exists()
    return render(request, "votes/list.html", {"polls": polls, "can_create": can_create})


@login_required
def poll_create(request: HttpRequest) -> HttpResponse:
    """新建表决: first the organization and kind (GET), then the poll itself."""
    orgs = writable_orgs(request.user, holding_members=True)
    if not orgs.exists():
        raise PermissionDenied("您没有可以组织表决的党组织。")
    data = request.GET.copy()
    if not data.get("org") and orgs.count() == 1:
        data["org"] = str(orgs.get().pk)
    start = StartForm(data if data.get("kind") else None, orgs=orgs, initial=data.dict())
    if not start.is_bound or not start.is_valid():
        return render(request, "votes/create.html", {"start": start})
    org, kind = start.cleaned_data["org"], start.cleaned_data["kind"]
    form = PollForm(request.POST or None, org=org, kind=kind)
    poll = submit(
        request,
        form,
        lambda _: services.create_poll(
            actor=request.user, organization=org, draft=form.draft(), request=request
        ),
    )
    if poll is not None:
        messages.success(request, f"已创建表决「{poll.title}」。")
        return redirect("votes:detail", pk=poll.pk)
    context = {"start": start, "form": form, "org": org, "kind": Kind(kind)}
    return render(request, "votes/create.html", context, status=400 if form.is_bound else 200)


# ---- the poll page ----------------------------------------------------------------------------


def _scheduled(request: HttpRequest, poll: Poll) -> Poll:
    """Open or close the poll when its scheduled time has come (定时开始/结束)."""
    scheduled = services.apply_schedule(poll)
    if scheduled.problem:
        messages.error(request, f"定时操作未能完成：{scheduled.problem}")
    return scheduled.poll


def _vote_link(request: HttpRequest, poll: Poll) -> str:
    return request.build_absolute_uri(reverse("votes:vote", args=[poll.token]))


def _detail(request: HttpRequest, poll: Poll, *, status: int = 200, **extra: Any) -> HttpResponse:
    manage = may_manage(request.user, poll)
    candidates = list(poll.candidates.all())
    context: dict[str, Any] = {
        "poll": poll,
        "manage": manage,
        "candidates": candidates,
        "rules": rules_in_words(poll),
        "turnout": turnout(poll, names=manage),
        "own_voter": voter_for(request.user, poll),
        **extra,
    }
    if manage and poll.method == Method.ONLINE and poll.status != Status.CLOSED:
        link = _vote_link(request, poll)
        context["link"] = link
        context["qr"] = segno.make(link).svg_inline(scale=4)
    if manage and poll.status == Status.OPEN:
        context["voters"] = list(poll.voters.all())
        if poll.method == Method.PAPER:
            context["ballot_rows"] = ballot_rows(poll, candidates)
        if poll.method != Method.ONLINE:
            context.setdefault(
                "counts_form",
                CountsForm(
                    initial=_counts_initial(poll),
                    poll=poll,
                    candidates=candidates,
                ),
            )
    if poll.status == Status.CLOSED and poll.result:
        report = poll_report(poll)
        context["report"] = report
        context["chart"] = {"result": report.chart}
    return render(request, "votes/detail.html", context, status=status)


def _counts_initial(poll: Poll) -> dict[str, Any]:
    initial: dict[str, Any] = {"issued": poll.issued}
    if poll.method == Method.TOTALS and poll.totals:
        initial |= {"returned": poll.returned, "invalid": poll.totals.get("invalid", 0)}
        for key, row in (poll.totals.get("counts") or {}).items():
            initial |= {f"t_{key}_{code}": n for code, n in row.items()}
    return initial


@require_safe
@login_required
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The poll page: status, rules, candidates, turnout, the manager's actions, the result."""
    poll = _scheduled(request, get_poll_for_user(request.user, pk))
    return _detail(request, poll)


@require_safe
@login_required
def poll_turnout(request: HttpRequest, pk: int) -> HttpResponse:
    """到会与投票情况 (htmx, every 3 s while open): numbers, and for managers who has not voted."""
    poll = get_poll_for_user(request.user, pk)
    manage = may_manage(request.user, poll)
    context = {"poll": poll, "manage": manage, "turnout": turnout(poll, names=manage)}
    return render(request, "votes/partials/turnout.html", context)


def _action(request: HttpRequest, pk: int, run: Callable[[Poll], str | None]) -> HttpResponse:
    """A manager's POST on the poll page: run the service, report, back to the page."""
    poll = get_poll_for_user(request.user, pk, write=True)
    try:
        done = run(poll)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, done)
    return redirect("votes:detail", pk=poll.pk)


def _version(request: HttpRequest) -> int:
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise DomainError("请求不完整，请刷新页面后重试。")
    return int(form.cleaned_data["version"])


@login_required
@require_POST
def reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """调整选票顺序 (before the poll opens): candidates by the numbers entered."""

    def run(poll: Poll) -> str:
        entered = {}
        for c in poll.candidates.all():
            value = request.POST.get(f"pos_{c.pk}", "")
            if not value.strip().isdigit():
                raise DomainError(f"请为 {c.name} 填写序号（正整数）。")
            entered[c.pk] = (int(value), c.position)
        order = sorted(entered, key=entered.__getitem__)
        services.reorder_candidates(actor=request.user, poll=poll, order=order, request=request)
        return "已保存选票顺序。"

    return _action(request, pk, run)


@login_required
@require_POST
def poll_open(request: HttpRequest, pk: int) -> HttpResponse:
    """开始投票."""

    def run(poll: Poll) -> str:
        services.open_poll(
            actor=request.user, poll=poll, expected_version=_version(request), request=request
        )
        return "投票已开始。"

    return _action(request, pk, run)


@login_required
@require_POST
def poll_close(request: HttpRequest, pk: int) -> HttpResponse:
    """结束投票并计票."""

    def run(poll: Poll) -> str:
        services.close_poll(
            actor=request.user, poll=poll, expected_version=_version(request), request=request
        )
        return "投票已结束，计票完成。"

    return _action(request, pk, run)


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """登记到会情况."""

    def run(poll: Poll) -> str:
        ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
        count = services.mark_attendance(
            actor=request.user, poll=poll, present=ids, request=request
        )
        return f"已登记到会情况：实到会 {count} 人。"

    return _action(request, pk, run)


@login_required
@require_POST
def paper_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """逐张录入纸质选票."""

    def run(poll: Poll) -> str:
        candidates = list(poll.candidates.all())
        choices = paper_ballot_choices(poll, candidates, request.POST)
        services.record_paper_ballot(
            actor=request.user, poll=poll, choices=choices, request=request
        )
        return f"已录入第 {poll.ballots.count()} 张选票。"

    return _action(request, pk, run)


@login_required
@require_POST
def paper_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """录入发出票数 (and for 汇总录入 the tellers' totals)."""
    poll = get_poll_for_user(request.user, pk, write=True)
    form = CountsForm(request.POST, poll=poll, candidates=list(poll.candidates.all()))
    saved = submit(
        request,
        form,
        lambda f: services.record_paper_counts(
            actor=request.user,
            poll=poll,
            issued=f["issued"],
            returned=f.get("returned"),
            totals=form.totals(),
            request=request,
        ),
    )
    if saved is None:
        messages.error(request, "票数未保存，请检查录入的数字。")
        return _detail(request, poll, counts_form=form, status=400)
    messages.success(request, "已保存票数。")
    return redirect("votes:detail", pk=poll.pk)


@login_required
@require_POST
def recount(request: HttpRequest, pk: int) -> HttpResponse:
    """复核: count again from the stored ballots and check their seals."""
    poll = get_poll_for_user(request.user, pk, write=True)
    try:
        checked = services.recount_poll(actor=request.user, poll=poll, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("votes:detail", pk=poll.pk)
    return _detail(request, poll, recount=checked)


@login_required
@require_POST
def next_round(request: HttpRequest, pk: int) -> HttpResponse:
    """安排再次投票 among the candidates tied across the last seat."""
    poll = get_poll_for_user(request.user, pk, write=True)
    try:
        new = services.start_next_round(actor=request.user, poll=poll, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("votes:detail", pk=poll.pk)
    messages.success(request, f"已安排第 {new.round_no} 轮投票。")
    return redirect("votes:detail", pk=new.pk)


@require_safe
@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """计票单 / 选举结果报告 (PDF), for the poll's managers once it is counted."""
    poll = get_poll_for_user(request.user, pk, write=True)
    if poll.status != Status.CLOSED or not poll.result:
        raise Http404("该表决尚未计票")
    services.print_record(actor=request.user, poll=poll, request=request)
    try:
        body = poll_record_pdf(poll_report(poll), printed_by=_user_name(request.user))
    except PdfFontMissing as exc:
        return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)
    kind = "选举结果报告" if poll.kind == Kind.ELECTION else "计票单"
    return attachment(body, f"{kind}-{poll.title}.pdf", "application/pdf", inline=True)


def _user_name(user: Any) -> str:
    return str(user.first_name or user.username)


# ---- the voter's phone page -------------------------------------------------------------------


@login_required
def vote(request: HttpRequest, token: str) -> HttpResponse:
    """投票 on the phone: the ballot, then 您的选票已投出. Never shows what was voted."""
    pk = Poll.objects.filter(token=token.upper()).values_list("pk", flat=True).first()
    try:
        poll = get_poll_for_user(request.user, pk)
    except Http404:
        return render(request, "votes/vote.html", {"missing": True}, status=404)
    poll = _scheduled(request, poll)
    candidates: list[Candidate] = list(poll.candidates.all())
    error = ""
    if request.method == "POST":
        try:
            services.cast_ballot(
                user=request.user,
                poll=poll,
                choices=ballot_choices(poll, candidates, request.POST),
                request=request,
            )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect(f"{reverse('votes:vote', args=[poll.token])}?cast=1")
    context = {
        "poll": poll,
        "voter": voter_for(request.user, poll),
        "rows": ballot_rows(poll, candidates),
        "posted": request.POST if error else {},
        "error": error,
        "just_cast": request.GET.get("cast") == "1",
    }
    return render(request, "votes/vote.html", context, status=400 if error else 200)
