"""Reads of the votes app: who may vote, which polls a user sees, turnout, the count in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.models import rule_value
from dangjian.members.choices import MemberCategory
from dangjian.members.models import Member, PartyProbation
from dangjian.orgs.models import Organization
from dangjian.stats.reports import spells_on
from dangjian.votes import tally
from dangjian.votes.models import GRADES, Poll, Voter


def electorate(org: Organization, on: dt.date) -> QuerySet[Member]:
    """有表决权的党员 of `org` on `on`: its (and its sub-organizations') 正式党员 that day, less
    those under 留党察看. 预备党员 have no vote (党章第七条), nor do members under 留党察看
    (党章第四十条); 流入党员 are registered with their home branch, so they are not here."""
    full = spells_on(org, on).filter(category=MemberCategory.FULL).values("member_id")
    sanctioned = PartyProbation.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on
    ).values("member_id")
    return Member.objects.filter(pk__in=full).exclude(pk__in=sanctioned).order_by("name_pinyin")


def members_on(org: Organization, on: dt.date) -> QuerySet[Member]:
    """Everyone in `org`'s subtree on `on`, 预备党员 included (民主评议 grades them all)."""
    return Member.objects.filter(pk__in=spells_on(org, on).values("member_id")).order_by(
        "name_pinyin"
    )


def polls_visible_to(user: Any) -> QuerySet[Poll]:
    """Polls of the organizations in the user's scope, those the user is a voter in, and the
    not yet opened polls of the user's own organization and those above it (the electorate is
    fixed only when a poll opens; a member who scans its code early learns it has not begun)."""
    scope = scope_for(user)
    q = Q(organization__in=Organization.objects.filter(scope.org_q()))
    if scope.own_member_id is not None:
        q |= Q(voters__member_id=scope.own_member_id)
        own_path = Member.objects.filter(pk=scope.own_member_id).values_list("org_path", flat=True)
        path = own_path.first() or ""
        steps = range(Organization.steplen, len(path) + 1, Organization.steplen)
        q |= Q(status=Poll.Status.DRAFT, organization__path__in=[path[:n] for n in steps])
    return Poll.objects.filter(q).distinct().select_related("organization")


def get_poll_for_user(user: Any, pk: Any, ability: str | None = None) -> Poll:
    """The poll if visible (404 otherwise); given an ability (Ability.RUN_VOTES), only for
    those who hold it on the poll's organization (403)."""
    visible = polls_visible_to(user)
    return get_for(user, ability, visible, pk, path_of="organization__path",
                   missing="表决不存在或不在您的管理范围内")  # fmt: skip


def schedule_pending(poll: Poll, now: dt.datetime | None = None) -> str:
    """A note for a poll whose scheduled time has come but which the worker has not moved yet
    (it does within a minute): pages show the poll as it is and never move it themselves."""
    now = now or timezone.now()
    if poll.status == Poll.Status.DRAFT and poll.opens_at and poll.opens_at <= now:
        return "定时开始时间已到，等待系统处理。"
    if poll.status == Poll.Status.OPEN and poll.closes_at and poll.closes_at <= now:
        return "定时结束时间已到，等待系统处理。"
    return ""


def may_manage(user: Any, poll: Poll) -> bool:
    """Organization managers (书记、组织委员、上级组织管理员) run the poll; voters only vote."""
    return scope_for(user).can(Ability.RUN_VOTES, poll.organization.path)


def voter_for(user: Any, poll: Poll) -> Voter | None:
    """The user's own entry in the poll's electorate, if any."""
    member_id = scope_for(user).own_member_id
    if member_id is None:
        return None
    return poll.voters.filter(member_id=member_id).first()


def election_rounds(poll: Poll) -> list[Poll]:
    """All rounds of the election `poll` belongs to, first to last (one next round each)."""
    first = poll
    while first.previous_id is not None:
        first = Poll.objects.select_related("previous").get(pk=first.previous_id)
    rounds = [first]
    while nxt := rounds[-1].next_rounds.order_by("pk").first():
        rounds.append(nxt)
    return rounds


@dataclass(frozen=True)
class RoundSummary:
    """One round of an election as listed on each round's page: 当选 in that round."""

    poll: Poll
    elected: list[str]


def round_summaries(poll: Poll) -> list[RoundSummary]:
    """各轮投票 of the election `poll` belongs to (first round, 再次投票, 另行选举)."""
    rows = []
    for r in election_rounds(poll):
        result = tally.Result.from_json(r.result or {})
        names = dict(r.candidates.values_list("pk", "name"))
        people = dict(
            r.voters.filter(member_id__in=result.elected_others).values_list("member_id", "name")
        )
        elected = [names.get(pk, "") for pk in result.elected]
        rows.append(RoundSummary(r, elected + [people.get(m, "") for m in result.elected_others]))
    return rows


@dataclass(frozen=True)
class Turnout:
    """到会与投票情况: numbers for everyone who sees the poll; names of those who have not
    voted only for its managers — never what anyone voted."""

    entitled: int
    present: int
    voted: int
    ballots: int
    not_voted: list[str]
    quorum_warning: str = ""  # while open: the attendance is below the quorum


def fewest_present(poll: Poll, entitled: int) -> int:
    """The fewest present that meet the poll's quorum (超过 or 不少于 its share)."""
    threshold = tally.Threshold(Fraction(poll.quorum), poll.quorum_strict)
    return next(n for n in range(entitled + 1) if threshold.met(n, entitled)) if entitled else 0


def quorum_warning(poll: Poll, entitled: int, present: int) -> str:
    """Tell the chair before the count that the recorded attendance is below the quorum."""
    if poll.status != Poll.Status.OPEN or present >= fewest_present(poll, entitled):
        return ""
    how = "超过" if poll.quorum_strict else "不少于"
    written = "；书面意见不计入到会人数" if poll.kind == Poll.Kind.MOTION else ""
    return (
        f"到会人数不足：实到会 {present} 人，到会人数须{how}应到会 {entitled} 人的 {poll.quorum}，"
        f"即至少 {fewest_present(poll, entitled)} 人。人数不足时计票不作决定{written}。"
    )


def turnout(poll: Poll, *, names: bool) -> Turnout:
    """Counted in the database: the chair's page asks every few seconds while the vote is on."""
    counts = poll.voters.aggregate(
        entitled=Count("pk"),
        present=Count("pk", filter=Q(present=True)),
        voted=Count("pk", filter=Q(voted=True)),
    )
    missing = poll.voters.filter(voted=False).values_list("name", flat=True) if names else []
    warning = quorum_warning(poll, counts["entitled"], counts["present"])
    return Turnout(
        **counts, ballots=stored_ballots(poll), not_voted=list(missing), quorum_warning=warning
    )


def stored_ballots(poll: Poll) -> int:
    """Ballots received: still sealed while the poll is open, written out once it is counted."""
    return poll.envelopes.count() + poll.ballots.count()


def issued_and_returned(poll: Poll, present: int, stored: int) -> tuple[int, int]:
    """发出票数 and 收回票数: online, every voter present could vote and the stored ballots came
    back; on paper, as the tellers recorded them (逐张录入: the ballots entered)."""
    if poll.method == Poll.Method.ONLINE:
        return present, stored
    if poll.method == Poll.Method.PAPER:
        return poll.issued or 0, stored
    return poll.issued or 0, poll.returned or 0


# The three marks as printed on each kind's ballot (选举: 不赞成; 表决事项: 反对).
MARK_LABELS = {
    Poll.Kind.ELECTION: (("yes", "赞成"), ("no", "不赞成"), ("abstain", "弃权")),
    Poll.Kind.MOTION: (("yes", "赞成"), ("no", "反对"), ("abstain", "弃权")),
}


def mark_columns(kind: str) -> Sequence[tuple[str, str]]:
    """What a voter marks per row of the ballot, as (code, label): the marks, or the grades."""
    if kind == Poll.Kind.GRADE:
        return GRADES
    return MARK_LABELS[Poll.Kind(kind)]


# ---- the count in words: the result page and the printed record ------------------------------

OUTCOMES = {
    tally.ELECTED: "当选",
    tally.RUNOFF: "再次投票",
    tally.NOT_ELECTED: "未当选",
    tally.PASSED: "通过",
    tally.REJECTED: "未通过",
    **dict(GRADES),
}


def rules_in_words(poll: Poll) -> list[str]:
    """表决规则, e.g. 到会人数须超过应到会人数的 4/5；当选须获得超过实到会人数 1/2 的赞成票."""
    base = Poll.Base(poll.base).label
    quorum = "超过" if poll.quorum_strict else "不少于"
    majority = "超过" if poll.majority_strict else "不少于"
    lines = [f"到会人数须{quorum}应到会人数的 {poll.quorum}"]
    if poll.kind == Poll.Kind.ELECTION:
        lines += _election_rules(poll, majority, base)
    elif poll.kind == Poll.Kind.MOTION:
        lines.append(f"通过须获得{majority}{base} {poll.majority} 的赞成票")
        lines.append("因故不能到会的党员会前提交的书面意见计入票数，不计入到会人数")
    else:
        lines.append(f"评定为某一等次须获得{majority}{base} {poll.majority} 的票数")
        lines.append(f"评定为优秀的一般不超过评定等次人数的 {excellent_share(poll)}")
        lines.append("预备党员参加评议、不评定等次")
    lines.append("无记名投票" if poll.secret else "记名投票")
    return lines


def _election_rules(poll: Poll, majority: str, base: str) -> list[str]:
    post = Poll.Post(poll.post).label.split("（")[0] if poll.post else "委员会委员"
    if poll.round_kind == Poll.RoundKind.RUNOFF:
        first = "再次投票：在票数相等的候选人中得票多的当选，不再要求过半数"
    else:
        first = f"当选须获得{majority}{base} {poll.majority} 的赞成票（含另选他人）"
    how = "差额选举" if poll.contested else "等额选举"
    seats = f"选举{post}，应选 {poll.seats} 人，{how}"
    return [first, f"{seats}；每张选票赞成（含另选他人）不得超过 {poll.seats} 人，多选无效"]


def excellent_share(poll: Poll) -> str:
    """`evaluation.excellent_cap` in force on the poll's date, as "1/3" (一般不超过三分之一);
    the electorate date is bounded to when the rule values exist."""
    return str(
        Fraction(rule_value("evaluation.excellent_cap", poll.electorate_on)).limit_denominator(1000)
    )


def write_in_voters(poll: Poll) -> QuerySet[Voter]:
    """另选他人: whom a ballot may write in — the electorate (正式党员 not under 留党察看, i.e.
    with 被选举权) less the candidates; nobody in a 再次投票, which is among the tied only."""
    if poll.kind != Poll.Kind.ELECTION or poll.round_kind == Poll.RoundKind.RUNOFF:
        return poll.voters.none()
    return poll.voters.exclude(member_id__in=poll.candidates.values("member_id"))


@dataclass(frozen=True)
class ResultRow:
    name: str
    counts: list[int | str]
    outcome: str


@dataclass(frozen=True)
class PollReport:
    """计票结果 as shown on the page and printed on the record."""

    poll: Poll
    result: tally.Result
    columns: list[str]
    rows: list[ResultRow]
    entitled: int
    present: int
    issued: int
    returned: int
    elected: list[str]
    runoff: list[str]
    rules: list[str]

    @property
    def chart(self) -> dict[str, Any]:
        """Data for the ECharts bar (stats/charts.js): yes votes per candidate."""
        if self.poll.kind == Poll.Kind.MOTION:
            return {"rows": list(zip(self.columns, self.rows[0].counts, strict=True))}
        if self.poll.kind == Poll.Kind.GRADE:
            series = [
                {"name": label, "values": [r.counts[i] for r in self.rows]}
                for i, label in enumerate(self.columns)
            ]
            return {"labels": [r.name for r in self.rows], "series": series}
        return {"rows": [(r.name, r.counts[0]) for r in self.rows]}


def poll_report(poll: Poll) -> PollReport:
    result = tally.Result.from_json(poll.result or {})
    names = dict(poll.candidates.values_list("pk", "name"))
    people = dict(poll.voters.values_list("member_id", "name"))  # write-ins are voters
    columns = mark_columns(poll.kind)

    def name(o: tally.OptionResult) -> str:
        if o.option is None:
            return poll.title
        if o.write_in:
            return f"{people.get(o.option, o.option)}（另选他人）"
        return names.get(o.option, poll.title)

    rows = [
        ResultRow(
            name=name(o),
            counts=[o.counts.get(code, 0) for code, _ in columns],
            outcome=OUTCOMES.get(o.outcome, "—"),
        )
        for o in result.options
    ]
    rows += [  # 民主评议: 预备党员 take part without a grade
        ResultRow(c.name, ["—"] * len(columns), "参加评议、不评定等次")
        for c in poll.candidates.filter(graded=False)
    ]
    written = [people.get(m, str(m)) for m in result.elected_others]
    numbers = turnout(poll, names=False)
    issued, returned = issued_and_returned(poll, numbers.present, numbers.ballots)
    return PollReport(
        poll=poll,
        result=result,
        columns=[label for _, label in columns],
        rows=rows,
        entitled=numbers.entitled,
        present=numbers.present,
        issued=issued,
        returned=returned,
        elected=[names.get(pk, "") for pk in result.elected] + written,
        runoff=[names.get(pk, "") for pk in result.runoff]
        + [people.get(m, str(m)) for m in result.runoff_others],
        rules=rules_in_words(poll),
    )


# --- a motion's outcome, as the procedures that wait for it read it ---------------------------

NOT_COUNTED = "支部党员大会表决尚未计票"


def motion_not_carried(poll: Poll | None, article: str = "") -> str | None:
    """Why a motion does not carry (not yet counted, no quorum, too few yes votes), the
    sentence ending with `article`; None when it was counted and passed. A 支部党员大会
    motion passes with more than half of those entitled (细则第二十一条), as its preset says."""
    if poll is None or poll.status != Poll.Status.CLOSED:
        return NOT_COUNTED
    result = poll.result or {}
    if not result.get("quorum_met"):
        return f"到会有表决权的党员未超过应到会人数的半数，表决无效{article}"
    if not result.get("passed"):
        return f"赞成票未超过应到会有表决权党员的半数，表决未通过{article}"
    return None


def motion_not_rejected(poll: Poll | None, then: str) -> str | None:
    """Why a motion may not be recorded as failed: not counted yet, or it passed (`then`
    says what to record instead); None when it was counted and did not pass."""
    if poll is None or poll.status != Poll.Status.CLOSED:
        return NOT_COUNTED
    if motion_not_carried(poll) is None:
        return f"表决已通过，{then}"
    return None
