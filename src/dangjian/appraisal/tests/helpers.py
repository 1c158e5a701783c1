"""Steps of the appraisal taken through the real services, for the tests."""

from __future__ import annotations

from typing import Any

from dangjian.appraisal import services
from dangjian.appraisal.models import Appraisal
from dangjian.appraisal.tests.conftest import LIFE_DAY, MOBILIZE, YEAR
from dangjian.meetings.models import Meeting
from dangjian.votes import services as votes
from dangjian.votes.models import Poll


def started(cast: Any) -> Appraisal:
    appraisal = services.start_appraisal(
        actor=cast.secretary, org=cast.branch, year=YEAR, on=MOBILIZE
    )
    services.start_peer_review(actor=cast.secretary, appraisal=appraisal, on=LIFE_DAY)
    return appraisal


def paper_totals(cast: Any, poll: Poll, counts: dict[str, dict[str, int]], returned: int) -> None:
    """The tellers' totals of a paper vote (汇总录入)."""
    votes.record_paper_counts(
        actor=cast.secretary,
        poll=poll,
        issued=returned,
        returned=returned,
        totals={"invalid": 0, "counts": counts},
    )


def counted(cast: Any, meeting: Meeting) -> Appraisal:
    """Through 民主测评 and its count: everyone present graded 合格 by every ballot."""
    appraisal = started(cast)
    poll = services.hold_test(actor=cast.secretary, appraisal=appraisal, meeting=meeting,
                              method=Poll.Method.TOTALS)  # fmt: skip
    present = len(services.present_voter_ids(poll, meeting))
    graded = poll.candidates.filter(graded=True)
    paper_totals(cast, poll, {str(c.pk): {"qualified": present} for c in graded}, present)
    services.count_test(actor=cast.secretary, appraisal=appraisal)
    services.record_test(actor=cast.secretary, appraisal=appraisal, on=LIFE_DAY)
    appraisal.refresh_from_db()
    return appraisal


def grades_for(cast: Any, excellent: int = 0, unqualified: tuple[str, ...] = ()) -> dict[int, str]:
    """The first `excellent` full members 优秀, the named ones 不合格, the rest 合格."""
    grades = {}
    for i, m in enumerate(cast.full):
        grades[m.pk] = "excellent" if i < excellent else "qualified"
        if m.name in unqualified:
            grades[m.pk] = "unqualified"
    return grades
