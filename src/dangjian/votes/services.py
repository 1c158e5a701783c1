"""表决与选举 operations: create, open, cast, record paper ballots, close, re-count, next round.

A poll moves DRAFT → OPEN → CLOSED (MOVES); every step is one function here, called by the
pages, the API and the scheduler alike, inside one transaction with its audit entry.

One ballot per voter is enforced by the database: casting flips the voter's `voted` flag with a
conditional UPDATE (… WHERE voted = false), which PostgreSQL re-checks after waiting for a
concurrent one, so of two simultaneous submissions exactly one updates a row and stores a
ballot. Casts hold the poll row FOR SHARE and closing takes it FOR UPDATE, so no ballot slips in
after the count and casts do not wait on each other.

Secrecy (decision 22): the casting transaction stores the ballot only as a sealed envelope
(encrypted, padded, no time); closing opens them all and writes the ballots in a random order in
its own single transaction, so transaction ids, row order and the audit log join no ballot to
its voter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user, as_actor
from dangjian.core.crypto import open_envelope, seal, seal_envelope
from dangjian.core.exceptions import ConcurrentEditError, DomainError
from dangjian.core.models import RuleMissing, rule_value
from dangjian.core.rules_seed import FOUNDING
from dangjian.members.choices import MemberCategory
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.stats.reports import spells_on
from dangjian.votes import tally
from dangjian.votes.models import (
    GRADES,
    Ballot,
    Candidate,
    Envelope,
    Poll,
    Voter,
    WrittenOpinion,
)
from dangjian.votes.ordering import stroke_key
from dangjian.votes.selectors import (
    electorate,
    excellent_share,
    issued_and_returned,
    members_on,
    stored_ballots,
    write_in_voters,
)

log = logging.getLogger(__name__)
Kind, Status, Method, Base = Poll.Kind, Poll.Status, Poll.Method, Poll.Base
Post, RoundKind = Poll.Post, Poll.RoundKind
# Posts the rules let a branch elect 等额 (选举工作条例: 书记、副书记可以等额选举); every other
# election (委员) is 差额, with at least `election.min_surplus` more candidates than seats.
UNCONTESTED_POSTS = frozenset({Post.SECRETARY, Post.DEPUTY})

SHARES = ("1/2", "2/3", "3/4", "4/5")  # the shares a poll may require
SHARE_CHOICES = [(share, share) for share in SHARES]


@dataclass(frozen=True)
class Preset:
    """A rule set: where quorum and majority come from (versioned rule values) and the base."""

    label: str
    quorum_rule: str
    majority_rule: str
    base: str


PRESETS = {
    # 选举工作条例: >4/5 of 应到会 present; elected with > half of 实到会.
    "election": Preset(
        "党组织选举（选举工作条例）", "election.quorum", "election.majority", Base.PRESENT
    ),
    # 支部党员大会 (发展党员、转正等): > half present; passes with > half of 应到会.
    "meeting": Preset("支部党员大会表决", "meeting.quorum", "meeting.majority", Base.ENTITLED),
    # 民主评议: the meeting's quorum; a grade needs more than half of the valid ballots.
    "evaluation": Preset("民主评议党员", "meeting.quorum", "meeting.majority", Base.VALID),
}
MOVES = {  # status → statuses it may move to
    Status.DRAFT: {Status.OPEN},
    Status.OPEN: {Status.CLOSED},
    Status.CLOSED: set(),
}


# The audit action of each step, named after the service that takes it.
STEPS = {
    "create": register_action("votes.create_poll", "新建表决或选举"),
    "reorder": register_action("votes.reorder_candidates", "调整候选人顺序"),
    "open": register_action("votes.open_poll", "开始投票"),
    "present": register_action("votes.mark_attendance", "登记实到人数"),
    "cast": register_action("votes.cast_ballot", "投票"),
    "opinion": register_action("votes.record_written_opinion", "录入书面意见"),
    "paper": register_action("votes.record_paper_ballot", "录入纸质选票"),
    "counts": register_action("votes.record_paper_counts", "登记发出和收回的选票"),
    "close": register_action("votes.close_poll", "结束投票并计票"),
    "recount": register_action("votes.recount_poll", "复核计票"),
}
PRINT_RECORD = register_action("votes.print_record", "打印计票结果", tone="sensitive")


def _audit(
    step: str,
    *,
    actor: Any,
    target: Poll,
    detail: dict[str, Any] | None = None,
) -> None:
    """One audit entry per step; a cast is logged as 投票 with nothing of what was voted."""
    record_audit(STEPS[step], actor=actor, target=target, detail={"step": step, **(detail or {})})


def _rule(key: str, on: dt.date) -> Decimal:
    """A rule value in force on the electorate date; a date before any is the user's to fix."""
    try:
        return rule_value(key, on)
    except RuleMissing as exc:
        raise DomainError(
            f"{on:%Y年%m月%d日}尚无规则参数“{key}”的取值，请检查表决权确认日期。",
            field="electorate_on",
        ) from exc


def _share(value: Decimal) -> str:
    return str(Fraction(value).limit_denominator(1000))


def _require_manager(actor: Any, org: Organization) -> None:
    """Only the organization's managers run its polls; actor None (or `Actor.system()`) is the
    system (the schedule: views and the API always pass the request's user)."""
    if not as_actor(actor).is_system and not scope_for(actor).can(Ability.RUN_VOTES, org.path):
        raise DomainError("该党组织不在您的管理范围内。")


def _move(poll: Poll, to: str) -> None:
    if to not in MOVES[Status(poll.status)]:
        raise DomainError(f"表决当前状态为「{poll.get_status_display()}」，不能进行此操作。")


def _locked(poll: Poll, expected_version: int | None = None) -> Poll:
    """The poll row locked for this transaction (FOR UPDATE), checked against a stale form."""
    fresh = Poll.objects.select_for_update().get(pk=poll.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise ConcurrentEditError("该表决")
    return fresh


# ---- creating ---------------------------------------------------------------------------------


@dataclass
class PollDraft:
    """What a manager fills in to create a poll (a form's or serializer's cleaned data)."""

    title: str
    kind: str
    method: str
    preset: str
    electorate_on: dt.date
    context: str = ""
    secret: bool = True
    seats: int = 1
    post: str = ""  # elections: Post (委员 when left out); decides 差额 or 等额
    candidates: Sequence[Member] = ()
    quorum: str | None = None  # overrides of the preset, as "2/3"
    majority: str | None = None
    # 超过 (True) or 不少于 (False) the share: a rule saying "三分之二以上" is at least
    quorum_strict: bool = True
    majority_strict: bool = True
    base: str | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    round_kind: str = RoundKind.FIRST  # set by the next-round services only


def _post(kind: str, post: str) -> str:
    """An election's post (committee members unless named); other kinds have none."""
    return (post or Post.COMMITTEE) if kind == Kind.ELECTION else ""


def create_poll(*, actor: Any, organization: Organization, draft: PollDraft) -> Poll:
    """Create a poll (未开始) with its candidates in 姓氏笔画 order."""
    _require_manager(actor, organization)
    _check_draft(organization, draft)
    preset = PRESETS[draft.preset]
    post = _post(draft.kind, draft.post)
    with transaction.atomic():
        poll = Poll.objects.create(
            organization=organization,
            title=draft.title.strip(),
            context=draft.context.strip(),
            kind=draft.kind,
            method=draft.method,
            secret=draft.secret,
            seats=draft.seats if draft.kind == Kind.ELECTION else 1,
            post=post,
            contested=post == Post.COMMITTEE and draft.round_kind != RoundKind.RUNOFF,
            round_kind=draft.round_kind,
            quorum=draft.quorum or _share(_rule(preset.quorum_rule, draft.electorate_on)),
            quorum_strict=draft.quorum_strict,
            majority_strict=draft.majority_strict,
            base=draft.base or preset.base,
            majority=draft.majority or _share(_rule(preset.majority_rule, draft.electorate_on)),
            electorate_on=draft.electorate_on,
            opens_at=draft.opens_at,
            closes_at=draft.closes_at,
            created_by=_user(actor),
        )
        _add_candidates(poll, draft.candidates, _probationary(poll))
        _audit(
            "create",
            actor=actor,
            target=poll,
            detail={"kind": poll.kind, "candidates": len(draft.candidates)},
        )
    return poll


def electorate_date_range(opens_at: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """The dates a poll's 表决权确认日期 may take: from the Party's founding to the day of the
    vote (its scheduled start, else today): a later date would fix an electorate not yet known."""
    today = timezone.localdate()
    vote_day = timezone.localdate(opens_at) if opens_at else today
    return FOUNDING, max(today, vote_day)


def _check_electorate_date(draft: PollDraft) -> None:
    first, last = electorate_date_range(draft.opens_at)
    if draft.electorate_on < first:
        raise DomainError(
            f"表决权确认日期不能早于{first:%Y年%m月%d日}（当前为{draft.electorate_on:%Y年%m月%d日}）。",
            field="electorate_on",
        )
    if draft.electorate_on > last:
        raise DomainError(
            f"表决权确认日期不能晚于投票日期{last:%Y年%m月%d日}"
            f"（当前为{draft.electorate_on:%Y年%m月%d日}）。",
            field="electorate_on",
        )


def _check_draft(org: Organization, draft: PollDraft) -> None:
    if not draft.title.strip():
        raise DomainError("请填写表决事项。", field="title")
    _check_electorate_date(draft)
    if draft.post and (draft.kind != Kind.ELECTION or draft.post not in Post.values):
        raise DomainError("只有选举需要选择职务，且职务须为委员、书记或副书记之一。", field="post")
    if draft.preset not in PRESETS:
        raise DomainError("请选择表决规则。", field="preset")
    for name in ("quorum", "majority"):
        value = getattr(draft, name)
        if value is not None and value not in SHARES:
            raise DomainError(f"比例只能是 {'、'.join(SHARES)} 之一。", field=name)
    if draft.opens_at and draft.closes_at and draft.opens_at >= draft.closes_at:
        raise DomainError("定时结束时间须晚于定时开始时间。", field="closes_at")
    if draft.kind == Kind.MOTION:
        if draft.candidates:
            raise DomainError("表决事项不设候选人。", field="candidates")
        return
    if draft.kind == Kind.ELECTION:
        _check_election(org, draft)
    elif not draft.candidates:
        raise DomainError("请选择评议对象。", field="candidates")
    else:
        outside = _outside(draft.candidates, members_on(org, draft.electorate_on))
        if outside:
            raise DomainError(f"{outside} 不是本组织党员，不能作为评议对象。", field="candidates")


def _check_election(org: Organization, draft: PollDraft) -> None:
    """选举: secret, enough candidates, 差额 of at least the rule's share, candidates with the
    right to stand (正式党员 not under 留党察看)."""
    if not draft.secret:
        raise DomainError("选举必须采用无记名投票。", field="secret")
    if draft.seats < 1:
        raise DomainError("应选人数至少为 1。", field="seats")
    n = len(draft.candidates)
    if n < draft.seats:
        raise DomainError(f"候选人（{n} 人）少于应选人数（{draft.seats} 人）。", field="candidates")
    if draft.round_kind != RoundKind.RUNOFF:  # 再次投票 is among the tied, whoever they are
        _check_contest(_post(draft.kind, draft.post), draft.seats, n, draft.electorate_on)
    outside = _outside(draft.candidates, electorate(org, draft.electorate_on))
    if outside:
        raise DomainError(
            f"{outside} 没有被选举权（须为本组织正式党员，且未受留党察看处分）。",
            field="candidates",
        )


def candidates_needed(post: str, seats: int, on: dt.date) -> int:
    """The fewest candidates an election of `seats` for `post` may have: 差额 (委员) at least
    `election.min_surplus` more, rounded up (应选 5 人至少 6 人); 等额 posts the seats."""
    if post in UNCONTESTED_POSTS:
        return seats
    return math.ceil(seats * (1 + Fraction(_rule("election.min_surplus", on))))


def _check_contest(post: str, seats: int, n: int, on: dt.date) -> None:
    needed = candidates_needed(post, seats, on)
    if n < needed:
        surplus = _rule("election.min_surplus", on)
        raise DomainError(
            f"委员选举应当差额选举，候选人数应多于应选人数 {surplus:.0%}：应选 {seats} 人，"
            f"候选人至少 {needed} 人，现有 {n} 人（只有书记、副书记可以等额选举）。",
            field="candidates",
        )


def _outside(people: Sequence[Member], allowed: Any) -> str:
    """Names of `people` not in the queryset `allowed`, joined for a message ('' if none)."""
    ids = set(allowed.filter(pk__in=[m.pk for m in people]).values_list("pk", flat=True))
    return "、".join(m.name for m in people if m.pk not in ids)


def _probationary(poll: Poll) -> set[int]:
    """民主评议: the 预备党员 among the people on the electorate date (参加评议、不评定等次)."""
    if poll.kind != Kind.GRADE:
        return set()
    spells = spells_on(poll.organization, poll.electorate_on)
    return set(
        spells.filter(category=MemberCategory.PROBATIONARY).values_list("member_id", flat=True)
    )


def _add_candidates(poll: Poll, people: Sequence[Member], ungraded: set[int]) -> None:
    if len({m.pk for m in people}) != len(people):
        raise DomainError("候选人名单中有重复。", field="candidates")
    ordered = sorted(people, key=lambda m: stroke_key(m.name))
    Candidate.objects.bulk_create(
        Candidate(poll=poll, member=m, name=m.name, position=i, graded=m.pk not in ungraded)
        for i, m in enumerate(ordered)
    )


def reorder_candidates(*, actor: Any, poll: Poll, order: Sequence[int]) -> None:
    """Set the ballot order by hand before the poll opens (e.g. 同笔画 by first stroke)."""
    _require_manager(actor, poll.organization)
    with transaction.atomic():
        poll = _locked(poll)
        _move(poll, Status.OPEN)  # only a poll that can still open may change its ballot
        candidates = {c.pk: c for c in poll.candidates.all()}
        if sorted(order) != sorted(candidates):
            raise DomainError("排序须包含且只包含本表决的全部候选人。", field="order")
        for i, pk in enumerate(order):
            candidates[pk].position = i
        Candidate.objects.bulk_update(candidates.values(), ["position"])
        _audit("reorder", actor=actor, target=poll)


# ---- opening, attendance, casting -------------------------------------------------------------


def open_poll(
    *,
    actor: Any,
    poll: Poll,
    expected_version: int | None = None,
) -> Poll:
    """开始投票: snapshot the electorate (应到会) as of `electorate_on` and open the poll."""
    _require_manager(actor, poll.organization)
    with transaction.atomic():
        poll = _locked(poll, expected_version)
        _move(poll, Status.OPEN)
        if poll.kind == Kind.ELECTION and poll.round_kind != RoundKind.RUNOFF:
            seats, n = poll.seats, poll.candidates.count()
            _check_contest(_post(poll.kind, poll.post), seats, n, poll.electorate_on)
        people = list(electorate(poll.organization, poll.electorate_on))
        if not people:
            raise DomainError("该组织在表决权确认日期没有有表决权的正式党员。")
        Voter.objects.bulk_create(Voter(poll=poll, member=m, name=m.name) for m in people)
        poll.status, poll.opened_at = Status.OPEN, timezone.now()
        poll.version += 1
        poll.save(update_fields=["status", "opened_at", "version"])
        _audit(
            "open",
            actor=actor,
            target=poll,
            detail={"entitled": len(people)},
        )
        _attendance_opened(poll, actor)
    return poll


# ---- attendance owned by another record (a meeting's 出席登记) ---------------------------------

# A poll held in a meeting takes its 到会 from the meeting's attendance, never from its own
# form. The meetings app (a higher layer) registers here: `describe(poll)` gives the refusal
# ("该表决的到会情况由会议「…」的出席登记决定") or None when it does not own the poll, and
# `on_open(poll, actor)` copies the attendance once the poll's voters exist.
AttendanceDescriber = Callable[[Poll], str | None]
AttendanceOpener = Callable[[Poll, Any], None]
_ATTENDANCE_OWNERS: list[tuple[AttendanceDescriber, AttendanceOpener | None]] = []


def register_attendance_owner(
    describe: AttendanceDescriber, on_open: AttendanceOpener | None = None
) -> None:
    """Let another app own the attendance of some polls (call from its AppConfig.ready())."""
    if all(d is not describe for d, _ in _ATTENDANCE_OWNERS):
        _ATTENDANCE_OWNERS.append((describe, on_open))


def attendance_owner(poll: Poll) -> str | None:
    """Why this poll's 到会 is not marked on the poll itself, or None when it is."""
    for describe, _ in _ATTENDANCE_OWNERS:
        found = describe(poll)
        if found:
            return found
    return None


def _attendance_opened(poll: Poll, actor: Any) -> None:
    for describe, on_open in _ATTENDANCE_OWNERS:
        if on_open is not None and describe(poll):
            on_open(poll, actor)


def mark_attendance(
    *, actor: Any, poll: Poll, present: Iterable[int], by_owner: bool = False
) -> int:
    """实到会: the voters (ids) present at the meeting; everyone who voted is present anyway.

    A poll whose attendance another record owns (`register_attendance_owner`) is refused unless
    that owner marks it (`by_owner=True`)."""
    _require_manager(actor, poll.organization)
    if not by_owner:
        owner = attendance_owner(poll)
        if owner:
            raise DomainError(owner)
    ids = set(present)
    with transaction.atomic():
        poll = _locked(poll)
        if poll.status != Status.OPEN:
            raise DomainError("只能在投票进行中登记到会情况。")
        # A voter who sent a written opinion was absent: the opinion never makes them present.
        poll.voters.filter(pk__in=ids, written_opinion__isnull=True).update(present=True)
        poll.voters.exclude(pk__in=ids).filter(voted=False).update(present=False)
        count = poll.voters.filter(present=True).count()
        _audit(
            "present",
            actor=actor,
            target=poll,
            detail={"present": count},
        )
    return count


def _share_lock(poll: Poll) -> str:
    """Hold the poll row against closing (FOR SHARE: casts do not block each other) and return
    its status as of now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM votes_poll WHERE id = %s FOR SHARE", [poll.pk])
            return str(cursor.fetchone()[0])
    return str(Poll.objects.values_list("status", flat=True).get(pk=poll.pk))


def _window_problem(poll: Poll, now: dt.datetime) -> str | None:
    if poll.opens_at and now < poll.opens_at:
        return "投票尚未开始。"
    if poll.closes_at and now >= poll.closes_at:
        return "投票已截止。"
    return None


def cast_ballot(*, actor: Any, poll: Poll, choices: Mapping[str, Any]) -> None:
    """投票 by a voter on their phone. The ballot is checked first (a ballot marking more names
    than seats is refused here, so the voter can correct it)."""
    if poll.method != Method.ONLINE:
        raise DomainError("本次表决使用纸质选票，请在会场投票。")
    voter = _voter_id(actor_user(actor), poll)
    if voter is None:
        raise DomainError("您不在本次表决的表决权人名单中。")
    problem = check_ballot(poll, choices)
    if problem:
        raise DomainError(problem)
    with transaction.atomic():
        if _share_lock(poll) != Status.OPEN:
            raise DomainError("投票未在进行中。")
        window = _window_problem(poll, timezone.now())
        if window:
            raise DomainError(window)
        # The condition on the updated row itself: PostgreSQL re-checks it after waiting for
        # a concurrent cast of the same voter, so only one of them updates a row.
        if not Voter.objects.filter(pk=voter, voted=False).update(voted=True, present=True):
            raise DomainError("您已投过票，每人只能投一票。")
        _store_ballot(poll, choices, Ballot.Source.ONLINE, voter_id=None if poll.secret else voter)
        _audit("cast", actor=actor, target=poll)


def check_ballot(poll: Poll, choices: Mapping[str, Any]) -> str | None:
    """Why a ballot would not count in `poll` (None if it would): before casting, and on the
    voter's confirmation page, so the voter can still correct it."""
    # The write-in list is read only for a ballot that writes someone in (casting is hot).
    wrote_in = isinstance(choices, Mapping) and bool(choices.get(tally.OTHERS))
    eligible = write_in_ids(poll) if wrote_in else []
    return tally.ballot_problem(
        poll.kind, poll.seats, _option_ids(poll), _grade_codes(), choices, eligible
    )


def write_in_ids(poll: Poll) -> list[int]:
    """另选他人: the member ids a ballot may write in (selectors.write_in_voters)."""
    return sorted(write_in_voters(poll).values_list("member_id", flat=True))


def record_written_opinion(
    *,
    actor: Any,
    poll: Poll,
    voter_id: int,
    vote: str,
) -> WrittenOpinion:
    """书面意见: the chair or secretary enters an absent voter's written opinion, handed in
    before the meeting (发展党员工作细则第二十七条). Motions only (elections and 评议 take
    none); one per voter; the voter stays absent and it never counts toward the quorum."""
    _require_manager(actor, poll.organization)
    if poll.kind != Kind.MOTION:
        raise DomainError("选举和评议不接受书面意见，只有表决事项可以计入书面意见。")
    if vote not in WrittenOpinion.Vote.values:
        raise DomainError("请选择书面意见：赞成、反对或弃权。", field="vote")
    with transaction.atomic():
        poll = _locked(poll)
        if poll.status != Status.OPEN:
            raise DomainError("只能在投票进行中、计票之前录入书面意见。")
        voter = poll.voters.filter(pk=voter_id).first()
        if voter is None:
            raise DomainError("该党员不在本次表决的表决权人名单中。", field="voter")
        if voter.present:
            raise DomainError(
                f"{voter.name} 已登记到会，到会党员应当在会上表决，不能提交书面意见。"
            )
        # The same flag as a cast: one vote per voter, by the database, whichever comes first.
        if not Voter.objects.filter(pk=voter.pk, voted=False).update(voted=True):
            raise DomainError(f"{voter.name} 已经表决过（投票或书面意见），每人只能表决一次。")
        opinion = WrittenOpinion.objects.create(
            poll=poll,
            voter=voter,
            vote=vote,
            entered_by=_user(actor),
        )
        _audit("opinion", actor=actor, target=poll, detail={"voter": voter.name})
    return opinion


def _user(actor: Any) -> Any:
    """The acting account for a 'by whom' column (None for the system)."""
    user = actor_user(actor)
    return user if getattr(user, "is_authenticated", False) else None


def _voter_id(user: Any, poll: Poll) -> int | None:
    """The user's entry in the poll's electorate (one indexed join; casting is the hot path)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return poll.voters.filter(member__user=user).values_list("pk", flat=True).first()


def _store_ballot(
    poll: Poll, choices: Mapping[str, Any], source: str, voter_id: int | None = None
) -> Envelope:
    """Seal the ballot in an envelope (decision 22): this transaction also marks the voter and
    writes the audit entry, so what it stores must say nothing without the key. The ballot
    itself is written at the count (`_open_envelopes`)."""
    content = _canonical({"choices": dict(choices), "source": source, "voter": voter_id})
    envelope = Envelope(poll=poll, sealed=seal_envelope(poll.pk, content))
    envelope.save(force_insert=True)
    return envelope


def _open_envelopes(poll: Poll) -> None:
    """At the count, under the poll's FOR UPDATE lock: open every envelope and write the
    ballots in a random order (random ids, no time) in this one transaction, then delete the
    envelopes. Row order, rowid/ctid and transaction id then match no cast; what a deleted
    envelope leaves behind (PostgreSQL dead tuples until vacuum, WAL) is ciphertext, and on
    SQLite secure_delete overwrites it."""
    envelopes = list(poll.envelopes.values_list("sealed", flat=True))
    if not envelopes:
        return
    contents = [json.loads(open_envelope(poll.pk, sealed)) for sealed in envelopes]
    secrets.SystemRandom().shuffle(contents)
    ballots = []
    for content in contents:
        ballot = Ballot(
            poll=poll,
            voter_id=content["voter"],
            choices=content["choices"],
            source=content["source"],
        )
        ballot.seal = seal(_seal_text(ballot))
        ballots.append(ballot)
    Ballot.objects.bulk_create(ballots)  # one INSERT per batch, rows in the shuffled order
    with _secure_delete():
        poll.envelopes.all().delete()


@contextmanager
def _secure_delete() -> Iterator[None]:
    """SQLite: overwrite deleted rows with zeros instead of leaving them in free pages."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA secure_delete = ON")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA secure_delete = {int(before)}")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _seal_text(ballot: Ballot) -> str:
    voter = ballot.voter_id or ""
    return f"{ballot.poll_id}|{ballot.id}|{ballot.source}|{voter}|{_canonical(ballot.choices)}"


def record_paper_ballot(*, actor: Any, poll: Poll, choices: Mapping[str, Any]) -> int:
    """计票人逐张录入 a paper ballot as marked, invalid ones included (they count as 废票); the
    number entered so far. Sealed like an online ballot: the order in which the tellers take
    them from the box may follow the order in which people put them in."""
    _require_manager(actor, poll.organization)
    if poll.method != Method.PAPER:
        raise DomainError("本次表决不是逐张录入纸质选票。")
    with transaction.atomic():
        if _share_lock(poll) != Status.OPEN:
            raise DomainError("只能在投票进行中录入选票。")
        _store_ballot(poll, choices, Ballot.Source.PAPER)
        _audit("paper", actor=actor, target=poll)
    return stored_ballots(poll)


def record_paper_counts(
    *,
    actor: Any,
    poll: Poll,
    issued: int,
    returned: int | None = None,
    totals: Mapping[str, Any] | None = None,
) -> Poll:
    """发出票数 (and for 汇总录入 the returned count and the tellers' totals)."""
    _require_manager(actor, poll.organization)
    if poll.method == Method.ONLINE:
        raise DomainError("手机投票不需要录入票数。")
    if issued < 0 or (returned is not None and returned < 0):
        raise DomainError("票数不能为负数。", field="issued")
    with transaction.atomic():
        poll = _locked(poll)
        if poll.status != Status.OPEN:
            raise DomainError("只能在投票进行中录入票数。")
        poll.issued = issued
        if poll.method == Method.TOTALS:
            if returned is None or totals is None:
                raise DomainError("请录入收回票数和各项汇总票数。", field="returned")
            poll.returned, poll.totals = returned, dict(totals)
            _inputs(poll)  # raises on totals that do not add up
        poll.save(update_fields=["issued", "returned", "totals"])
        _audit(
            "counts",
            actor=actor,
            target=poll,
            detail={"issued": issued, "returned": returned},
        )
    return poll


# ---- closing and checking ---------------------------------------------------------------------


def close_poll(
    *,
    actor: Any,
    poll: Poll,
    expected_version: int | None = None,
    confirm_over_cap: bool = False,
) -> Poll:
    """结束投票并计票: count per the poll's rules and store the result with the ballots' digest.
    A 评议 that grades more people 优秀 than the cap needs the chair's `confirm_over_cap`."""
    _require_manager(actor, poll.organization)
    with transaction.atomic():
        poll = _locked(poll, expected_version)  # waits for casts in flight
        _move(poll, Status.CLOSED)
        if poll.method != Method.ONLINE and poll.issued is None:
            raise DomainError("请先录入发出票数。", field="issued")
        _open_envelopes(poll)
        result = tally.tally(_inputs(poll))
        over_cap = _excellent_over_cap(poll, result, confirmed=confirm_over_cap)
        poll.result = result.as_json()
        poll.ballots_digest = ballots_digest(poll)
        poll.status, poll.closed_at = Status.CLOSED, timezone.now()
        poll.version += 1
        poll.save(update_fields=["result", "ballots_digest", "status", "closed_at", "version"])
        _audit(
            "close",
            actor=actor,
            target=poll,
            detail={
                "digest": poll.ballots_digest,
                "valid": result.valid,
                "invalid": result.invalid,
                "elected": result.elected,
                "passed": result.passed,
                **({"over_cap_confirmed": over_cap} if over_cap else {}),
            },
        )
    return poll


class OverCap(DomainError):
    """民主评议: more 优秀 than the cap; the chair may confirm (the rule says 一般)."""


def excellent_cap(poll: Poll, graded: int) -> int:
    """The most people a 评议 should grade 优秀: the cap's share of those graded, rounded down."""
    return math.floor(Fraction(excellent_share(poll)) * graded)


def _excellent_over_cap(poll: Poll, result: tally.Result, *, confirmed: bool) -> str:
    """'' within the cap; else, once the chair confirmed, what was confirmed (for the audit)."""
    if poll.kind != Kind.GRADE:
        return ""
    excellent = sum(1 for row in result.options if row.outcome == GRADES[0][0])
    cap = excellent_cap(poll, len(result.options))
    if excellent <= cap:
        return ""
    share, graded = excellent_share(poll), len(result.options)
    what = f"评定为优秀 {excellent} 人，超过评定等次人数 {graded} 人的 {share}（{cap} 人）"
    if not confirmed:
        raise OverCap(f"{what}。优秀等次一般不超过 {share}，请主持人确认后再计票。")
    return what


def _option_ids(poll: Poll) -> list[int]:
    """The ballot's rows: the candidates, or the people graded (not the 预备党员)."""
    return list(poll.candidates.filter(graded=True).values_list("pk", flat=True))


def _grade_codes() -> list[str]:
    return [code for code, _ in GRADES]


def _inputs(poll: Poll) -> tally.Inputs:
    """What the count depends on, read from the stored poll."""
    voters = poll.voters.aggregate(n=Count("pk"), present=Count("pk", filter=Q(present=True)))
    ballots = [b.choices for b in poll.ballots.order_by("id")]
    present = voters["present"]
    issued, returned = issued_and_returned(poll, present, len(ballots))
    rules = tally.Rules(
        quorum=tally.Threshold(Fraction(poll.quorum), poll.quorum_strict),
        base=poll.base,
        majority=tally.Threshold(Fraction(poll.majority), poll.majority_strict),
        seats=poll.seats,
        relative=poll.round_kind == RoundKind.RUNOFF,  # 再次投票: 得票多的当选
    )
    opinions = list(poll.written_opinions.order_by("id").values_list("vote", flat=True))
    try:
        return _checked(
            tally.Inputs(
                kind=poll.kind,
                rules=rules,
                entitled=voters["n"],
                present=present,
                issued=issued,
                returned=returned,
                options=_option_ids(poll),
                grades=_grade_codes() if poll.kind == Kind.GRADE else (),
                ballots=ballots if poll.method != Method.TOTALS else (),
                totals=poll.totals if poll.method == Method.TOTALS else None,
                eligible=write_in_ids(poll),
                opinions=opinions,
            )
        )
    except tally.TallyInputError as exc:
        raise DomainError(str(exc), field="totals") from exc


def _checked(inputs: tally.Inputs) -> tally.Inputs:
    if inputs.totals is not None:
        tally.tally(inputs)  # validates the tellers' totals
    return inputs


def ballots_digest(poll: Poll) -> str:
    """SHA-256 over the sorted seals of the poll's ballots: printed on the record, it shows a
    later re-count that no ballot was added, removed or changed."""
    return _digest(poll.ballots.values_list("seal", flat=True))


def _digest(seals: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(seals)).encode()).hexdigest()


@dataclass(frozen=True)
class Recount:
    """复核: the result counted again from the stored ballots, and what did not match."""

    result: tally.Result
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def recount_poll(*, actor: Any, poll: Poll) -> Recount:
    """Re-count a closed poll from its stored ballots and check them against their seals and
    the digest recorded at the count."""
    _require_manager(actor, poll.organization)
    if poll.status != Status.CLOSED:
        raise DomainError("只能复核已计票的表决。")
    ballots = list(poll.ballots.all())
    problems = [
        f"选票 {str(b.id)[:8]} 的校验码不符：选票内容在投票后被改动。"
        for b in ballots
        if seal(_seal_text(b)) != b.seal
    ]
    if _digest(b.seal for b in ballots) != poll.ballots_digest:
        problems.append("选票集合与计票时记录的摘要不一致：有选票被增加或删除。")
    if poll.method == Method.ONLINE:
        voted = poll.voters.filter(voted=True, written_opinion__isnull=True).count()
        if voted != len(ballots):
            problems.append(f"已投票人数（{voted}）与选票数（{len(ballots)}）不一致。")
    result = tally.tally(_inputs(poll))
    stored = tally.Result.from_json(poll.result or {}).as_json()  # fields added since: empty
    if result.as_json() != stored:
        problems.append("重新计票的结果与计票时记录的结果不同。")
    with transaction.atomic():
        _audit(
            "recount",
            actor=actor,
            target=poll,
            detail={"ok": not problems, "problems": problems[:20]},
        )
    return Recount(result, problems)


def print_record(*, actor: Any, poll: Poll) -> None:
    """打印计票单: logged as an export, like every printed record of the registry."""
    _require_manager(actor, poll.organization)
    if poll.status != Status.CLOSED:
        raise DomainError("该表决尚未计票。")
    with transaction.atomic():
        record_audit(
            PRINT_RECORD,
            actor=actor,
            target=poll,
            detail={"step": "print", "digest": poll.ballots_digest},
        )


def start_next_round(
    *,
    actor: Any,
    poll: Poll,
    candidates: Sequence[int] | None = None,
) -> Poll:
    """The next round of an election, linked to this one (`previous`):

    * 再次投票 when candidates tied across the last seat: among the tied, for the seats they
      compete for, and the most votes win (1990 暂行条例第二十一条: 得票多者当选);
    * else 另行选举 for the unfilled seats (暂行条例第二十二条: 在未超过半数的人选中重新进行选举):
      candidates from those not elected, in the order of their votes in this round, as many as
      差额 needs again (`candidates`, member ids, picks them by hand from that pool)."""
    _require_manager(actor, poll.organization)
    result = tally.Result.from_json(poll.result) if poll.result else None
    if poll.kind != Kind.ELECTION or poll.status != Status.CLOSED or result is None:
        raise DomainError("只有已计票的选举才能安排下一轮投票。")
    if not (result.runoff or result.runoff_others or result.unfilled):
        raise DomainError("该选举已选足名额，没有需要再次投票或另行选举的名额。")
    if not result.quorum_met or result.void:
        raise DomainError(
            "本轮选举不作决定（到会人数不足或选举无效），应重新进行选举，而不是另行选举。"
        )
    if poll.next_rounds.exists():
        raise DomainError("已经为该选举安排了下一轮投票。")
    if result.runoff or result.runoff_others:
        people, seats, kind = _tied(poll, result), result.runoff_seats, RoundKind.RUNOFF
    else:
        people, seats, kind = _further(poll, result, candidates), result.unfilled, RoundKind.FURTHER
    draft = PollDraft(
        title=poll.title,
        kind=poll.kind,
        method=poll.method,
        preset="election",
        electorate_on=poll.electorate_on,
        context=poll.context,
        seats=seats,
        post=poll.post,
        candidates=people,
        quorum=poll.quorum,
        majority=poll.majority,
        base=poll.base,
        round_kind=kind,
    )
    with transaction.atomic():
        new = create_poll(actor=actor, organization=poll.organization, draft=draft)
        Poll.objects.filter(pk=new.pk).update(previous=poll, round_no=poll.round_no + 1)
        new.refresh_from_db()
    return new


def _tied(poll: Poll, result: tally.Result) -> list[Member]:
    tied = poll.candidates.filter(pk__in=result.runoff).select_related("member")
    written = Member.objects.filter(pk__in=result.runoff_others)
    return [c.member for c in tied] + list(written)


def _further(poll: Poll, result: tally.Result, chosen: Sequence[int] | None) -> list[Member]:
    """另行选举's candidates: the candidates this round did not elect, by votes (ballot order
    among equals); by default the first as many as 差额 needs (and any tied with the last)."""
    rows = {c.pk: c for c in poll.candidates.select_related("member")}
    ranked = sorted(
        (o for o in result.options if not o.write_in and o.option not in result.elected),
        key=lambda o: -o.counts.get(tally.YES, 0),
    )
    pool = [rows[o.option] for o in ranked if o.option in rows]
    if chosen is not None:
        return _chosen_from(poll, result, pool, chosen)
    needed = candidates_needed(_post(poll.kind, poll.post), result.unfilled, poll.electorate_on)
    if len(pool) < needed:
        return [c.member for c in pool]  # create_poll then names the shortfall
    yes = {o.option: o.counts.get(tally.YES, 0) for o in ranked}
    cut = yes[pool[needed - 1].pk]
    return [c.member for i, c in enumerate(pool) if i < needed or yes[c.pk] == cut]


def _chosen_from(
    poll: Poll, result: tally.Result, pool: list[Candidate], chosen: Sequence[int]
) -> list[Member]:
    allowed = {c.member_id: c.member for c in pool}
    elected = {c.member_id: c.name for c in poll.candidates.filter(pk__in=result.elected)}
    for member_id in chosen:
        if member_id in elected:
            raise DomainError(
                f"{elected[member_id]} 已在上一轮当选，不能作为另行选举的候选人。",
                field="candidates",
            )
        if member_id not in allowed:
            raise DomainError(
                "另行选举的候选人应从上一轮未当选的候选人中产生。", field="candidates"
            )
    return [allowed[m] for m in dict.fromkeys(chosen)]


# ---- the schedule -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheduled:
    """A poll after its schedule was applied, and why it could not move if its time had come
    (e.g. no electorate on its date: it then stays as it was)."""

    poll: Poll
    problem: str | None = None


def apply_schedule(poll: Poll, now: dt.datetime | None = None) -> Scheduled:
    """定时开始/结束: open or close the poll if its time has come (by the system, not a user).
    Run by the worker's periodic job (votes/schedules.py) and `manage.py run_poll_schedule`;
    never when a page is looked at."""
    now = now or timezone.now()
    try:
        if poll.status == Status.DRAFT and poll.opens_at and poll.opens_at <= now:
            poll = open_poll(actor=None, poll=poll)
        if poll.status == Status.OPEN and poll.closes_at and poll.closes_at <= now:
            poll = close_poll(actor=None, poll=poll)
    except DomainError as exc:
        log.warning("poll %s not moved by its schedule: %s", poll.pk, exc.message)
        return Scheduled(poll, exc.message)
    return Scheduled(poll)


def run_schedule(now: dt.datetime | None = None) -> int:
    """Apply the schedule to every poll whose time has come; the number of polls moved."""
    now = now or timezone.now()
    due = Poll.objects.filter(status=Status.DRAFT, opens_at__lte=now) | Poll.objects.filter(
        status=Status.OPEN, closes_at__lte=now
    )
    return sum(
        apply_schedule(poll, now).problem is None for poll in due.select_related("organization")
    )
