import pytest

from dangjian.core.dates import today
from dangjian.core.exceptions import DomainError
from dangjian.meetings import services
from dangjian.meetings.tests.conftest import roll
from dangjian.votes import services as votes
from dangjian.votes.models import Poll


def _poll(cast, meeting):
    draft = votes.PollDraft(
        title="接收张伟为预备党员",
        kind=Poll.Kind.MOTION,
        method=Poll.Method.PAPER,
        preset="meeting",
        electorate_on=today(),
    )
    return services.create_meeting_poll(actor=cast.secretary, meeting=meeting, draft=draft)


def _present(poll):
    return set(poll.voters.filter(present=True).values_list("name", flat=True))


def test_poll_takes_its_attendance_from_the_meeting(cast, meeting, branch_people):
    poll = _poll(cast, meeting)
    zhang = branch_people["zhang"]
    services.record_attendance(
        actor=cast.secretary,
        meeting=meeting,
        version=meeting.version,
        rows=roll(meeting, **{str(zhang.pk): ("leave", "生病")}),
    )
    votes.open_poll(actor=cast.secretary, poll=poll)
    # 陈静 is 预备党员: present at the meeting, no voter
    assert _present(poll) == {"李明"}
    assert poll.voters.count() == 2
    meeting.refresh_from_db()
    services.record_attendance(
        actor=cast.secretary, meeting=meeting, rows=roll(meeting), version=meeting.version
    )
    assert _present(poll) == {"李明", "张伟"}


def test_poll_of_a_meeting_refuses_its_own_attendance_form(cast, meeting):
    poll = _poll(cast, meeting)
    votes.open_poll(actor=cast.secretary, poll=poll)
    with pytest.raises(DomainError, match="由会议「第三季度支部党员大会」的出席登记决定"):
        votes.mark_attendance(actor=cast.secretary, poll=poll, present=[])


def test_closed_poll_keeps_its_count(cast, meeting, branch_people):
    poll = _poll(cast, meeting)
    votes.open_poll(actor=cast.secretary, poll=poll)
    services.record_attendance(
        actor=cast.secretary, meeting=meeting, rows=roll(meeting), version=meeting.version
    )
    Poll.objects.filter(pk=poll.pk).update(status=Poll.Status.CLOSED)
    meeting.refresh_from_db()
    zhang = branch_people["zhang"]
    services.record_attendance(
        actor=cast.secretary,
        meeting=meeting,
        version=meeting.version,
        rows=roll(meeting, **{str(zhang.pk): ("absent", "")}),
    )
    assert _present(poll) == {"李明", "张伟"}


def test_quorum_is_computed_from_the_meeting(cast, meeting, branch_people):
    from dangjian.votes.selectors import turnout

    poll = votes.open_poll(actor=cast.secretary, poll=_poll(cast, meeting))
    zhang = branch_people["zhang"]
    services.record_attendance(
        actor=cast.secretary,
        meeting=meeting,
        version=meeting.version,
        rows=roll(meeting, **{str(zhang.pk): ("leave", "生病")}),
    )
    t = turnout(poll, names=False)
    assert (t.present, t.entitled) == (1, 2) and t.quorum_warning  # 1 of 2 is not more than half
    meeting.refresh_from_db()
    services.record_attendance(
        actor=cast.secretary, meeting=meeting, rows=roll(meeting), version=meeting.version
    )
    assert turnout(poll, names=False).quorum_warning == ""
