"""表决与选举 pages: the list, creating a poll, the poll page with its actions, the voter's
phone page, the result and its printed record.

Every poll comes through `get_poll_for_user` (404 outside the user's scope, 403 for an action
without management rights); every change is one service call whose refusal is shown on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import orgs_with
from dangjian.core.actors import Actor
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import submit
from dangjian.core.http import attachment
from dangjian.core.printing import PdfFontMissing, qr_svg
from dangjian.core.views import confirm_page
from dangjian.votes import services
from dangjian.votes.forms import (
    CountsForm,
    PollForm,
    StartForm,
    VersionForm,
    WrittenOpinionForm,
    ballot_choices,
    ballot_rows,
    paper_ballot_choices,
    write_in_fields,
    write_in_options,
)
from dangjian.votes.models import Candidate, Poll
from dangjian.votes.pdf import poll_record_pdf
from dangjian.votes.selectors import (
    get_poll_for_user,
    may_manage,
    poll_report,
    polls_visible_to,
    round_summaries,
    rules_in_words,
    schedule_pending,
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
    can_create = orgs_with(request.user, Ability.RUN_VOTES, holding_members=True).exists()
    return render(request, "votes/list.html", {"polls": polls, "can_create": can_create})


@login_required
def poll_create(request: HttpRequest) -> HttpResponse:
    """新建表决: first the organization and kind (GET), then the poll itself."""
    orgs = orgs_with(request.user, Ability.RUN_VOTES, holding_members=True)
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
            actor=Actor.from_request(request), organization=org, draft=form.draft()
        ),
    )
    if poll is not None:
        messages.success(request, f"已创建表决「{poll.title}」。")
        return redirect("votes:detail", pk=poll.pk)
    context = {"start": start, "form": form, "org": org, "kind": Kind(kind)}
    return render(request, "votes/create.html", context, status=400 if form.is_bound else 200)


# ---- the poll page ----------------------------------------------------------------------------


def _vote_link(request: HttpRequest, poll: Poll) -> str:
    return request.build_absolute_uri(reverse("votes:vote", args=[poll.token]))


def _detail(request: HttpRequest, poll: Poll, *, status: int = 200, **extra: Any) -> HttpResponse:
    manage = may_manage(request.user, poll)
    candidates = list(poll.candidates.all())
    on_ballot = [c for c in candidates if c.graded]
    context: dict[str, Any] = {
        "poll": poll,
        "manage": manage,
        "candidates": candidates,
        "rules": rules_in_words(poll),
        "turnout": turnout(poll, names=manage),
        "own_voter": voter_for(request.user, poll),
        "rounds": round_summaries(poll) if poll.kind == Kind.ELECTION else [],
        "attendance_owner": services.attendance_owner(poll),
        **extra,
    }
    if manage and poll.method == Method.ONLINE and poll.status != Status.CLOSED:
        link = _vote_link(request, poll)
        context["link"] = link
        context["qr"] = qr_svg(link, scale=4)
    if manage and poll.status == Status.OPEN:
        context["voters"] = list(poll.voters.select_related("written_opinion"))
        if poll.kind == Kind.MOTION:
            context.setdefault("opinion_form", WrittenOpinionForm(poll=poll))
        if poll.method == Method.PAPER:
            context["ballot_rows"] = ballot_rows(poll, on_ballot)
            context["write_ins"] = write_in_fields(poll)
            context["write_in_options"] = write_in_options(poll)
        if poll.method != Method.ONLINE:
            context.setdefault(
                "counts_form",
                CountsForm(
                    initial=_counts_initial(poll),
                    poll=poll,
                    candidates=on_ballot,
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
    poll = get_poll_for_user(request.user, pk)
    return _detail(request, poll, schedule_note=schedule_pending(poll))


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
    poll = get_poll_for_user(request.user, pk, Ability.RUN_VOTES)
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
        services.reorder_candidates(actor=Actor.from_request(request), poll=poll, order=order)
        return "已保存选票顺序。"

    return _action(request, pk, run)


@login_required
@require_POST
def poll_open(request: HttpRequest, pk: int) -> HttpResponse:
    """开始投票, after a confirmation page (the electorate is fixed once it opens)."""
    if request.POST.get("confirmed") != "1":
        return _confirm(
            request,
            get_poll_for_user(request.user, pk, Ability.RUN_VOTES),
            action="votes:poll-open",
            title="确认开始投票",
            lines=[
                "开始投票后，将按表决权确认日期固定有表决权的党员名单（应到会），"
                "候选人和表决规则不能再修改。",
                "此操作不能撤销。",
            ],
            button="确认开始投票",
        )

    def run(poll: Poll) -> str:
        services.open_poll(
            actor=Actor.from_request(request), poll=poll, expected_version=_version(request)
        )
        return "投票已开始。"

    return _action(request, pk, run)


@login_required
@require_POST
def poll_close(request: HttpRequest, pk: int) -> HttpResponse:
    """结束投票并计票, after a confirmation page; a 评议 over the 优秀 cap asks once more."""
    poll = get_poll_for_user(request.user, pk, Ability.RUN_VOTES)
    lines = ["结束投票后不能再投票，系统立即按表决规则计票。", "此操作不能撤销。"]
    if request.POST.get("confirmed") != "1":
        return _confirm(
            request, poll, "votes:poll-close", "确认结束投票并计票", lines, "确认结束并计票"
        )
    over = request.POST.get("confirm_over_cap") == "1"
    try:
        services.close_poll(
            actor=Actor.from_request(request),
            poll=poll,
            expected_version=_version(request),
            confirm_over_cap=over,
        )
    except services.OverCap as exc:
        extra = {"confirm_over_cap": "1"}
        return _confirm(
            request,
            poll,
            "votes:poll-close",
            "优秀等次超过比例",
            [exc.message],
            "确认并计票",
            extra,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "投票已结束，计票完成。")
    return redirect("votes:detail", pk=poll.pk)


def _confirm(
    request: HttpRequest,
    poll: Poll,
    action: str,
    title: str,
    lines: list[str],
    button: str,
    extra: dict[str, str] | None = None,
) -> HttpResponse:
    """The shared confirmation page (core.views.confirm_page) for a step on this poll."""
    return confirm_page(
        request,
        title=title,
        lines=[f"表决事项：{poll}", *lines],
        action=reverse(action, args=[poll.pk]),
        confirm_label=button,
        cancel_url=reverse("votes:detail", args=[poll.pk]),
        fields={"version": request.POST.get("version", ""), **(extra or {})},
    )


@login_required
@require_POST
def written_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """录入书面意见 of an absent voter (表决事项 only)."""
    poll = get_poll_for_user(request.user, pk, Ability.RUN_VOTES)
    form = WrittenOpinionForm(request.POST, poll=poll)
    saved = submit(
        request,
        form,
        lambda f: services.record_written_opinion(
            actor=Actor.from_request(request), poll=poll, voter_id=f["voter"], vote=f["vote"]
        ),
    )
    if saved is None:
        messages.error(request, "书面意见未保存，请检查录入内容。")
        return _detail(request, poll, opinion_form=form, status=400)
    messages.success(request, f"已录入 {saved.voter.name} 的书面意见（不计入到会人数）。")
    return redirect("votes:detail", pk=poll.pk)


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """登记到会情况."""

    def run(poll: Poll) -> str:
        ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
        count = services.mark_attendance(actor=Actor.from_request(request), poll=poll, present=ids)
        return f"已登记到会情况：实到会 {count} 人。"

    return _action(request, pk, run)


@login_required
@require_POST
def paper_ballot(request: HttpRequest, pk: int) -> HttpResponse:
    """逐张录入纸质选票."""

    def run(poll: Poll) -> str:
        candidates = list(poll.candidates.filter(graded=True))
        choices = paper_ballot_choices(poll, candidates, request.POST)
        entered = services.record_paper_ballot(
            actor=Actor.from_request(request), poll=poll, choices=choices
        )
        return f"已录入第 {entered} 张选票。"

    return _action(request, pk, run)


@login_required
@require_POST
def paper_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """录入发出票数 (and for 汇总录入 the tellers' totals)."""
    poll = get_poll_for_user(request.user, pk, Ability.RUN_VOTES)
    form = CountsForm(request.POST, poll=poll, candidates=list(poll.candidates.filter(graded=True)))
    saved = submit(
        request,
        form,
        lambda f: services.record_paper_counts(
            actor=Actor.from_request(request),
            poll=poll,
            issued=f["issued"],
            returned=f.get("returned"),
            totals=form.totals(),
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
    poll = get_poll_for_user(request.user, pk, Ability.RUN_VOTES)
    try:
        checked = services.recount_poll(actor=Actor.from_request(request), poll=poll)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("votes:detail", pk=poll.pk)
    return _detail(request, poll, recount=checked)


@login_required
@require_POST
def next_round(request: HttpRequest, pk: int) -> HttpResponse:
    """安排下一轮: 再次投票 among the tied, or 另行选举 for the unfilled seats."""
    poll = get_poll_for_user(request.user, pk, Ability.RUN_VOTES)
    try:
        new = services.start_next_round(actor=Actor.from_request(request), poll=poll)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("votes:detail", pk=poll.pk)
    what = "再次投票" if new.round_kind == Poll.RoundKind.RUNOFF else "另行选举"
    messages.success(request, f"已安排第 {new.round_no} 轮投票（{what}）。")
    return redirect("votes:detail", pk=new.pk)


@require_safe
@login_required
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """计票单 / 选举结果报告 (PDF), for the poll's managers once it is counted."""
    poll = get_poll_for_user(request.user, pk, Ability.RUN_VOTES)
    if poll.status != Status.CLOSED or not poll.result:
        raise Http404("该表决尚未计票")
    services.print_record(actor=Actor.from_request(request), poll=poll)
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
@sensitive_post_parameters()  # an error report must not print the ballot next to its voter
def vote(request: HttpRequest, token: str) -> HttpResponse:
    """投票 on the phone: the ballot, then 您的选票已投出. Never shows what was voted."""
    pk = Poll.objects.filter(token=token.upper()).values_list("pk", flat=True).first()
    try:
        poll = get_poll_for_user(request.user, pk)
    except Http404:
        return render(request, "votes/vote.html", {"missing": True}, status=404)
    candidates: list[Candidate] = list(poll.candidates.filter(graded=True))
    error, back = "", request.POST.get("back") == "1"  # 返回修改: the ballot as marked
    if request.method == "POST" and not back:
        choices = ballot_choices(poll, candidates, request.POST)
        if request.POST.get("confirmed") != "1":  # first the voter checks what they marked
            error = services.check_ballot(poll, choices) or ""
            if not error:
                return _review(request, poll, candidates, choices)
        else:
            try:
                services.cast_ballot(actor=Actor.from_request(request), poll=poll, choices=choices)
            except DomainError as exc:
                error = exc.message
            else:
                return redirect(f"{reverse('votes:vote', args=[poll.token])}?cast=1")
    context = {
        "poll": poll,
        "voter": voter_for(request.user, poll),
        "rows": ballot_rows(poll, candidates),
        "write_ins": write_in_fields(poll),
        "write_in_options": write_in_options(poll),
        "posted": request.POST if error or back else {},
        "error": error,
        "just_cast": request.GET.get("cast") == "1",
    }
    return render(request, "votes/vote.html", context, status=400 if error else 200)


def _review(
    request: HttpRequest, poll: Poll, candidates: list[Candidate], choices: dict[str, Any]
) -> HttpResponse:
    """确认选票: what the voter marked, in words, before it is cast (a ballot cannot be changed
    afterwards). Shown only to the voter; the marks go back as hidden fields."""
    rows = ballot_rows(poll, candidates)
    labels = {row["key"]: dict(row["choices"]) for row in rows}
    marked = [
        (row["name"], labels[row["key"]].get(request.POST.get(row["key"], ""), "未填写"))
        for row in rows
    ]
    people = dict(write_in_options(poll))
    others = [people.get(m, str(m)) for m in choices.get("others", [])]
    keys = [row["key"] for row in rows] + [name for name, _ in write_in_fields(poll)]
    hidden = {k: request.POST[k] for k in keys if request.POST.get(k)}
    context = {"poll": poll, "marked": marked, "others": others, "hidden": hidden}
    return render(request, "votes/vote_confirm.html", context)
