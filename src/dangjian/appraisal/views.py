"""民主评议党员 pages: the branch's appraisal of a year with the steps the engine offers, the
member's own 个人自评, the 组织评定 form, the results sheet, the 组织处置 and the 自行脱党 list.

Every record comes through a scope-checked getter (404 outside the scope); every step view
checks the step's ability first (403) and then calls one service, whose refusal is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import orgs_with, refusal_for, scope_for
from dangjian.appraisal import services
from dangjian.appraisal.forms import PeerForm, RateForm, SelfReviewForm, StartForm, StepForm
from dangjian.appraisal.models import Appraisal, Disposition, Entry
from dangjian.appraisal.procedures import APPRAISAL, DISPOSITION, VOTES
from dangjian.appraisal.selectors import (
    DUES_NOTE,
    appraisals_visible_to,
    dispositions_visible_to,
    get_appraisal_for_user,
    get_disposition_for_user,
    get_entry_for_user,
    lapse_candidates,
    manages,
    meeting_of,
    open_disposition_of,
    own_entry,
    test_counts,
    test_outcomes,
)
from dangjian.core.actors import Actor
from dangjian.core.dates import today
from dangjian.core.exceptions import DomainError
from dangjian.core.forms import submit
from dangjian.core.http import attachment
from dangjian.core.printing import PdfFontMissing
from dangjian.core.procedures import Procedure, Who, may_act, steps_available, steps_of
from dangjian.meetings.models import Meeting, MeetingKind
from dangjian.members.selectors import get_member_for_user
from dangjian.orgs.models import BRANCH_KINDS
from dangjian.votes.models import GRADES

PDF = "application/pdf"


def _require(user: Any, who: Who | None, record: Any) -> None:
    """403 unless the user holds the step's ability on its organization, whatever the state."""
    if not may_act(user, who, record):
        raise PermissionDenied(refusal_for(who.ability) if who else "该步骤由系统办理")


def _history(proc: Procedure, record: Any) -> list[tuple[Any, str, str]]:
    return [
        (s, proc.step_label(s.step), proc.state_label(s.to_state)) for s in steps_of(proc, record)
    ]


# --- 民主评议 ----------------------------------------------------------------------------------


@login_required
@require_safe
def appraisal_list(request: HttpRequest) -> HttpResponse:
    """民主评议: the appraisals of the user's branches, and the member's own."""
    scope = scope_for(request.user)
    appraisals = appraisals_visible_to(request.user).order_by("-year", "org_path")[:200]
    own = []
    if scope.own_member_id is not None:
        own = list(
            Entry.objects.filter(member_id=scope.own_member_id)
            .select_related("appraisal", "appraisal__org")
            .order_by("-appraisal__year")
        )
    context = {
        "appraisals": appraisals,
        "own": own,
        "can_start": scope.can_anywhere(Ability.RUN_MEETINGS),
        "sees_lapses": scope.can_anywhere(Ability.RUN_MEETINGS)
        or scope.can_anywhere(Ability.EDIT_MEMBERS),
    }
    return render(request, "appraisal/list.html", context)


@login_required
def appraisal_start(request: HttpRequest) -> HttpResponse:
    """学习动员: open a branch's appraisal of a year."""
    orgs = orgs_with(request.user, Ability.RUN_MEETINGS).filter(kind__in=BRANCH_KINDS)
    if not scope_for(request.user).can_anywhere(Ability.RUN_MEETINGS):
        raise PermissionDenied(refusal_for(Ability.RUN_MEETINGS))
    form = StartForm(request.POST or None, orgs=orgs)
    appraisal = submit(
        request,
        form,
        lambda d: services.start_appraisal(
            actor=Actor.from_request(request),
            org=d["org"],
            year=d["year"],
            on=d["on"],
            note=d["note"],
        ),
    )
    if appraisal is None:
        return render(request, "appraisal/start.html", {"form": form})
    messages.success(request, "已开始学习动员，党员可以填写个人自评。")
    return redirect("appraisal:detail", pk=appraisal.pk)


# step → (URL name, what its form asks)
APPRAISAL_FORMS: dict[str, tuple[str, dict[str, Any]]] = {
    "peer_review": ("appraisal:peer-review", {"date": "互评日期", "note": "互评情况"}),
    "hold_test": ("appraisal:hold-test", {"meeting": 1, "method": 1}),
    "record_test": ("appraisal:record-test", {}),
    "rate": ("appraisal:rate", {"link": 1}),
    "publish": ("appraisal:publish", {"date": "反馈公示日期", "note": "反馈和公示情况"}),
    "apply": ("appraisal:apply", {"date": "登记日期"}),
}


@login_required
@require_safe
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = get_appraisal_for_user(request.user, pk)
    manager = manages(request.user, appraisal)
    own = own_entry(request.user, appraisal)
    counts = test_counts(appraisal) if manager else {}
    entries = list(appraisal.entries.all()) if manager else ([own] if own else [])
    rows = [(e, [counts.get(e.member_id, {}).get(code, "") for code, _ in GRADES]) for e in entries]
    steps = []
    for option in steps_available(request.user, appraisal, APPRAISAL):
        if option.name in APPRAISAL_FORMS:
            name, asks = APPRAISAL_FORMS[option.name]
            steps.append((option, reverse(name, args=[appraisal.pk]), asks))
    scope = scope_for(request.user)
    poll = appraisal.poll
    context = {
        "a": appraisal,
        "manager": manager,
        "own": own,
        "rows": rows,
        "grades": GRADES,
        "steps": steps,
        "history": _history(APPRAISAL, appraisal),
        "life_meetings": Meeting.objects.filter(
            org=appraisal.org,
            kind=MeetingKind.LIFE,
            date__year__in=(appraisal.year, appraisal.year + 1),
        ).exclude(status=Meeting.Status.CANCELLED),
        "can_count": poll is not None
        and poll.status == poll.Status.OPEN
        and scope.can(Ability.RUN_VOTES, appraisal.org_path),
        "can_print": scope.can(Ability.VIEW_MEMBERS, appraisal.org_path),
        "can_read_reviews": scope.can(Ability.RUN_MEETINGS, appraisal.org_path),
        "show_grade": appraisal.status in (Appraisal.Status.PUBLISHED, Appraisal.Status.DONE),
    }
    return render(request, "appraisal/detail.html", context)


def _appraisal_step(step: str, run: Callable[[Actor, Appraisal, StepForm], Any], done: str) -> Any:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        appraisal = get_appraisal_for_user(request.user, pk)
        who = VOTES if step == "count_test" else APPRAISAL.step(step).who
        _require(request.user, who, appraisal)
        form = StepForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError("请求不完整，请刷新页面后重试。")
            run(Actor.from_request(request), appraisal, form)
            messages.success(request, done)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("appraisal:detail", pk=appraisal.pk)

    return view


def _v(form: StepForm) -> int:
    return int(form.cleaned_data["version"])


def _note(form: StepForm) -> str:
    return str(form.cleaned_data.get("note") or "")


peer_review = _appraisal_step(
    "peer_review",
    lambda a, x, f: services.start_peer_review(
        actor=a, appraisal=x, on=f.date(), note=_note(f), version=_v(f)
    ),
    "已开展党员互评。",
)
hold_test = _appraisal_step(
    "hold_test",
    lambda a, x, f: services.hold_test(
        actor=a,
        appraisal=x,
        meeting=meeting_of(x.org, f.cleaned_data.get("meeting"), MeetingKind.LIFE),
        method=f.cleaned_data.get("method") or "paper",
        version=_v(f),
    ),
    "民主测评已开始，请在表决页面投票或录入选票，然后计票。",
)
count_test = _appraisal_step(
    "count_test",
    lambda a, x, f: services.count_test(
        actor=a, appraisal=x, confirm_over_cap=bool(f.cleaned_data.get("confirm_over_cap"))
    ),
    "民主测评已计票（到会情况取自组织生活会的出席登记）。",
)
record_test = _appraisal_step(
    "record_test",
    lambda a, x, f: services.record_test(actor=a, appraisal=x, on=f.date(), version=_v(f)),
    "测评结果已确认，请进行组织评定。",
)
publish = _appraisal_step(
    "publish",
    lambda a, x, f: services.publish_results(
        actor=a, appraisal=x, on=f.date(), note=_note(f), version=_v(f)
    ),
    "已反馈公示。",
)
apply = _appraisal_step(
    "apply",
    lambda a, x, f: services.apply_results(actor=a, appraisal=x, on=f.date(), version=_v(f)),
    "评议结果已登记到党员档案；评定为不合格的党员已列入组织处置。",
)


@login_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    """组织评定: one grade per 正式党员, the 测评 outcome suggested."""
    appraisal = get_appraisal_for_user(request.user, pk)
    _require(request.user, APPRAISAL.step("rate").who, appraisal)
    entries = list(appraisal.entries.all())
    counts = test_counts(appraisal)
    form = RateForm(
        request.POST or None,
        entries=entries,
        suggested=test_outcomes(appraisal),
        initial={"version": appraisal.version, "body": appraisal.rated_by or "committee"},
    )

    def run(d: dict[str, Any]) -> bool:
        services.rate_members(
            actor=Actor.from_request(request),
            appraisal=appraisal,
            grades=form.grades(),
            body=d["body"],
            on=d["on"],
            reason=d["reason"],
            confirmed=d["confirmed"],
            version=d["version"],
        )
        return True

    done = submit(request, form, run)
    if done:
        messages.success(request, "组织评定已保存。")
        return redirect("appraisal:detail", pk=appraisal.pk)
    rows = [
        (
            e,
            form[f"grade_{e.member_id}"] if e.graded else None,
            [counts.get(e.member_id, {}).get(code, "") for code, _ in GRADES],
        )
        for e in entries
    ]
    context = {"a": appraisal, "form": form, "rows": rows, "grades": GRADES}
    return render(request, "appraisal/rate.html", context)


@login_required
@require_safe
def result_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """民主评议党员结果汇总表 (PDF; printing is audited)."""
    appraisal = get_appraisal_for_user(request.user, pk, Ability.VIEW_MEMBERS)
    try:
        data = services.print_result_sheet(actor=Actor.from_request(request), appraisal=appraisal)
    except PdfFontMissing as exc:
        return render(request, "rosters/pdf_error.html", {"message": exc.message}, status=503)
    name = f"{appraisal.org.name}{appraisal.year}年度民主评议党员结果汇总表.pdf"
    return attachment(data, name, PDF, inline=True)


# --- 个人自评 ----------------------------------------------------------------------------------


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """个人自评: the member writes their own; the branch may record a paper one."""
    entry = get_entry_for_user(request.user, pk)
    form = SelfReviewForm(
        request.POST or None,
        initial={
            "version": entry.version,
            "self_review": entry.self_review,
            "party_analysis": entry.party_analysis,
        },
    )
    saved = submit(
        request,
        form,
        lambda d: services.write_self_review(
            actor=Actor.from_request(request),
            entry=entry,
            self_review=d["self_review"],
            party_analysis=d["party_analysis"],
            version=d["version"],
        ),
    )
    if saved is not None:
        messages.success(request, "个人自评已保存。")
        return redirect("appraisal:entry", pk=entry.pk)
    appraisal = entry.appraisal
    context = {
        "e": entry,
        "a": appraisal,
        "form": form,
        "own": scope_for(request.user).own_member_id == entry.member_id,
        "writable": appraisal.status
        in (Appraisal.Status.SELF_REVIEW, Appraisal.Status.PEER_REVIEW),
        "peer_form": PeerForm(initial={"version": entry.version, "comments": entry.peer_comments}),
        "can_peer": scope_for(request.user).can(Ability.RUN_MEETINGS, appraisal.org_path),
        "show_grade": appraisal.status in (Appraisal.Status.PUBLISHED, Appraisal.Status.DONE),
    }
    return render(request, "appraisal/entry.html", context)


@login_required
@require_POST
def entry_peer(request: HttpRequest, pk: int) -> HttpResponse:
    """互评意见 of one member, as the branch noted them."""
    entry = get_entry_for_user(request.user, pk)
    if not scope_for(request.user).can(Ability.RUN_MEETINGS, entry.appraisal.org_path):
        raise PermissionDenied(refusal_for(Ability.RUN_MEETINGS))
    form = PeerForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError("请求不完整，请刷新页面后重试。")
        services.record_peer_comments(
            actor=Actor.from_request(request),
            entry=entry,
            comments=form.cleaned_data["comments"],
            version=form.cleaned_data["version"],
        )
        messages.success(request, "互评意见已保存。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("appraisal:entry", pk=entry.pk)


# --- 组织处置 ----------------------------------------------------------------------------------


@login_required
@require_safe
def disposition_list(request: HttpRequest) -> HttpResponse:
    shown = dispositions_visible_to(request.user)
    if request.GET.get("closed") != "1":
        shown = shown.filter(
            status__in=[
                s
                for s in Disposition.Status.values
                if s not in ("corrected", "refused", "exited", "withdrawn")
            ]
            + [""]
        )
    return render(
        request,
        "appraisal/dispositions.html",
        {"dispositions": shown[:200], "closed": request.GET.get("closed") == "1"},
    )


DISPOSITION_FORMS: dict[str, tuple[str, dict[str, Any]]] = {
    "set_deadline": ("appraisal:d-set-deadline", {"deadline": 1, "note": "帮助教育情况"}),
    "correct": ("appraisal:d-correct", {"date": "认定日期", "note": "改正情况"}),
    "propose": ("appraisal:d-propose", {"measure": 1, "date": "提出日期", "note": "理由"}),
    "hear_member": ("appraisal:d-hear-member", {"view": 1, "date": "听取日期"}),
    "put_to_vote": ("appraisal:d-put-to-vote", {"meeting": 1, "method": 1}),
    "decide": ("appraisal:d-decide", {"date": "决定日期"}),
    "vote_failed": ("appraisal:d-decide", {"date": "日期"}),
    "approve": ("appraisal:d-approve", {"date": "批准日期", "note": "批复文号或意见"}),
    "refuse": ("appraisal:d-refuse", {"date": "日期", "note": "不批准的理由"}),
    "refuses_advice": ("appraisal:d-refuses-advice", {"date": "日期", "note": "本人态度"}),
    "record_exit": ("appraisal:d-record-exit", {"date": "出党日期", "document_no": 1}),
    "withdraw": ("appraisal:d-withdraw", {"date": "日期", "note": "终止原因"}),
}


@login_required
@require_safe
def disposition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    disposition = get_disposition_for_user(request.user, pk)
    steps = []
    for option in steps_available(request.user, disposition, DISPOSITION):
        if option.name in DISPOSITION_FORMS:
            name, asks = DISPOSITION_FORMS[option.name]
            steps.append((option, reverse(name, args=[disposition.pk]), asks))
    poll = disposition.poll
    context = {
        "d": disposition,
        "steps": steps,
        "history": _history(DISPOSITION, disposition),
        "general_meetings": Meeting.objects.filter(
            org=disposition.org, kind=MeetingKind.GENERAL
        ).exclude(status=Meeting.Status.CANCELLED)[:20],
        "can_count": poll is not None
        and poll.status == poll.Status.OPEN
        and scope_for(request.user).can(Ability.RUN_VOTES, disposition.org_path),
    }
    return render(request, "appraisal/disposition.html", context)


def _disposition_step(
    step: str, run: Callable[[Actor, Disposition, StepForm], Any], done: str
) -> Any:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        disposition = get_disposition_for_user(request.user, pk)
        _require(
            request.user, VOTES if step == "count" else DISPOSITION.step(step).who, disposition
        )
        form = StepForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError("请求不完整，请刷新页面后重试。")
            run(Actor.from_request(request), disposition, form)
            messages.success(request, done)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("appraisal:disposition", pk=disposition.pk)

    return view


def _cd(form: StepForm, name: str) -> Any:
    return form.cleaned_data.get(name)


d_set_deadline = _disposition_step(
    "set_deadline",
    lambda a, d, f: services.set_deadline(
        actor=a,
        disposition=d,
        deadline=_cd(f, "deadline") or _missing("deadline", "改正期限"),
        on=f.date(),
        note=_note(f),
        version=_v(f),
    ),
    "已限期改正。",
)
d_correct = _disposition_step(
    "correct",
    lambda a, d, f: services.record_corrected(
        actor=a, disposition=d, on=f.date(), note=_note(f), version=_v(f)
    ),
    "已认定改正合格，处置结束。",
)
d_propose = _disposition_step(
    "propose",
    lambda a, d, f: services.propose_measure(
        actor=a,
        disposition=d,
        measure=_cd(f, "measure") or "",
        on=f.date(),
        note=_note(f),
        version=_v(f),
    ),
    "已提出处置意见，请通知本人并听取其意见。",
)
d_hear_member = _disposition_step(
    "hear_member",
    lambda a, d, f: services.hear_member(
        actor=a, disposition=d, view=_cd(f, "view") or "", on=f.date(), version=_v(f)
    ),
    "本人意见已记录。",
)
d_put_to_vote = _disposition_step(
    "put_to_vote",
    lambda a, d, f: services.put_to_vote(
        actor=a,
        disposition=d,
        meeting=meeting_of(d.org, _cd(f, "meeting"), MeetingKind.GENERAL),
        method=_cd(f, "method") or "paper",
        version=_v(f),
    ),
    "已提交支部党员大会表决，请投票或录入选票后计票。",
)
d_count = _disposition_step(
    "count",
    lambda a, d, f: services.count_decision(actor=a, disposition=d),
    "已计票（到会情况取自支部党员大会的出席登记）。",
)
d_decide = _disposition_step(
    "decide",
    lambda a, d, f: services.record_decision(actor=a, disposition=d, on=f.date(), version=_v(f)),
    "支部大会表决结果已登记。",
)
d_approve = _disposition_step(
    "approve",
    lambda a, d, f: services.approve_disposition(
        actor=a, disposition=d, approved=True, on=f.date(), note=_note(f), version=_v(f)
    ),
    "已批准。",
)
d_refuse = _disposition_step(
    "refuse",
    lambda a, d, f: services.approve_disposition(
        actor=a, disposition=d, approved=False, on=f.date(), note=_note(f), version=_v(f)
    ),
    "已不予批准。",
)
d_refuses_advice = _disposition_step(
    "refuses_advice",
    lambda a, d, f: services.record_refusal_to_leave(
        actor=a, disposition=d, on=f.date(), note=_note(f), version=_v(f)
    ),
    "已改为除名，须再经支部党员大会讨论决定并报上级党委批准。",
)
d_record_exit = _disposition_step(
    "record_exit",
    lambda a, d, f: services.record_exit(
        actor=a,
        disposition=d,
        on=f.date(),
        document_no=_cd(f, "document_no") or "",
        version=_v(f),
    ),
    "已登记出党。",
)
d_withdraw = _disposition_step(
    "withdraw",
    lambda a, d, f: services.withdraw_disposition(
        actor=a, disposition=d, reason=_note(f), on=f.date(), version=_v(f)
    ),
    "处置已终止。",
)


def _missing(field: str, label: str) -> Any:
    raise DomainError(f"请填写{label}。", field=field)


# --- 自行脱党 ---------------------------------------------------------------------------------


@login_required
@require_safe
def lapses(request: HttpRequest) -> HttpResponse:
    """自行脱党: members absent from all organizational life for the rule's months (offered
    to the branch for a 除名 procedure, never applied automatically)."""
    scope = scope_for(request.user)
    paths = tuple(
        sorted(set(scope.paths(Ability.RUN_MEETINGS)) | set(scope.paths(Ability.EDIT_MEMBERS)))
    )
    rows = []
    for lapse in lapse_candidates(paths, today()):
        member = lapse.member
        rows.append(
            (
                lapse,
                open_disposition_of(member),
                scope.can(Ability.EDIT_MEMBERS, member.org_path),
            )
        )
    return render(request, "appraisal/lapses.html", {"rows": rows, "dues_note": DUES_NOTE})


@login_required
@require_POST
def lapse_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """提出除名意见 for a member on the 自行脱党 list (the branch's decision follows)."""
    member = get_member_for_user(request.user, pk, Ability.EDIT_MEMBERS)
    try:
        disposition = services.propose_removal(
            actor=Actor.from_request(request),
            member=member,
            on=today(),
            note=str(request.POST.get("note", ""))[:500],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("appraisal:lapses")
    messages.success(request, "已提出除名意见，请通知本人并听取其意见后提交支部党员大会讨论。")
    return redirect("appraisal:disposition", pk=disposition.pk)
