"""Demo 四议两公开: one finished matter of the demo village branch, through the real services —
提议, “两委”商议, 方案送达, 党员大会 (a meeting with its roll and a paper poll), 村民代表会议决议,
决议公开 and 实施结果公开 — so its pages and printed 工作记录 have something to show."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db import transaction

from dangjian.core.exceptions import DomainError
from dangjian.deliberations import services
from dangjian.deliberations.models import Matter
from dangjian.deliberations.procedures import REVIEWING_KINDS, is_village_org
from dangjian.meetings import services as meetings
from dangjian.orgs.models import Organization
from dangjian.votes import services as votes


def seed_demo(secretary: Any, village: Organization, today: dt.date) -> Matter | None:
    """The matter, or None when the village cannot hold one (never fails the demo)."""
    if not is_village_org(village) or village.kind not in REVIEWING_KINDS:
        return None
    try:
        with transaction.atomic():
            return _finished_matter(secretary, village, today)
    except DomainError:
        return None


def _day(today: dt.date, ago: int) -> dt.date:
    return today - dt.timedelta(days=ago)


def _finished_matter(secretary: Any, village: Organization, today: dt.date) -> Matter:
    draft = services.MatterDraft(
        title="村东至村西道路硬化",
        category="public_works",
        content="拟硬化村东至村西道路 1.2 公里，宽 4.5 米，预算 36 万元：争取上级补助 30 万元，"
        "村集体经济收入 6 万元，不向村民筹资；施工期间村民自愿投工投劳。",
        proposed_on=_day(today, 60),
    )
    m = services.propose_matter(actor=secretary, org=village, draft=draft)
    c = services.Consultation(
        on=_day(today, 58),
        participants="村党支部书记、村委会主任及支委、村委委员共 7 人",
        outcome="amended",
        note="建议增设两处错车道，预算相应调整。",
    )
    services.record_consultation(actor=secretary, matter=m, version=m.version, c=c)
    m.refresh_from_db()
    services.send_plan(
        actor=secretary,
        matter=m,
        version=m.version,
        on=_day(today, 55),
        note="逐户送达并在党员微信群发送",
    )
    m.refresh_from_db()
    services.convene_review(
        actor=secretary,
        matter=m,
        version=m.version,
        on=_day(today, 50),
        place="村党群服务中心会议室",
    )
    m.refresh_from_db()
    _hold_review(secretary, m)
    services.record_review(actor=secretary, matter=m, version=m.version)
    m.refresh_from_db()
    vote = services.VillagerVote(
        kind="representatives",
        held_on=_day(today, 45),
        entitled=35,
        present=31,
        yes=28,
        no=1,
        abstain=2,
    )
    services.record_resolution(actor=secretary, matter=m, version=m.version, vote=vote)
    m.refresh_from_db()
    board = services.Notice(
        on=_day(today, 44),
        channel="board",
        text="经村民代表会议决议，硬化村东至村西道路，预算 36 万元。",
    )
    services.publish_decision(actor=secretary, matter=m, version=m.version, notice=board)
    m.refresh_from_db()
    done = services.Notice(
        on=_day(today, 10), channel="board", text="道路硬化已完工并通过验收，实际支出 35.2 万元。"
    )
    services.publish_result(actor=secretary, matter=m, version=m.version, notice=done)
    m.refresh_from_db()
    return m


def _hold_review(secretary: Any, m: Matter) -> None:
    """The meeting's roll (most came) and the paper poll's totals (all but one in favour)."""
    assert m.poll is not None and m.meeting is not None
    poll = votes.open_poll(actor=secretary, poll=m.poll)
    voters = list(poll.voters.values_list("member_id", flat=True))
    came = set(voters[: math.ceil(len(voters) * 0.8)])
    rows = [
        meetings.AttendanceRow(
            a.member_id,
            "present" if a.member_id in came else "leave",
            "" if a.member_id in came else "外出务工",
        )
        for a in meetings.expected_rows(m.meeting)
    ]
    meetings.record_attendance(
        actor=secretary, meeting=m.meeting, rows=rows, version=m.meeting.version
    )
    present = len(came)
    totals = {"invalid": 0, "counts": {"vote": {"yes": present - 1, "no": 0, "abstain": 1}}}
    votes.record_paper_counts(
        actor=secretary, poll=poll, issued=present, returned=present, totals=totals
    )
    votes.close_poll(actor=secretary, poll=poll)
    m.refresh_from_db()
