import datetime as dt

import pytest
import time_machine

from dangjian.core.dates import today
from dangjian.core.exceptions import DomainError
from dangjian.core.models import Notification
from dangjian.meetings import services
from dangjian.meetings.cadence import check_cadence_tally
from dangjian.meetings.models import CadenceTally, MeetingKind
from dangjian.meetings.tests.conftest import data, roll, schedule
from dangjian.orgs.models import OrgKind
from dangjian.orgs.services import create_organization

K = MeetingKind


def test_general_meeting_expects_every_member_including_probationary(cast, branch_people):
    meeting = schedule(cast)
    names = set(meeting.attendance.filter(expected=True).values_list("member__name", flat=True))
    assert names == {"李明", "张伟", "陈静"}
    assert meeting.status == "planned" and not meeting.late_entry


def test_outsider_may_not_schedule_for_the_branch(cast, branch_people):
    with pytest.raises(DomainError, match="权限"):
        services.schedule_meeting(actor=cast.outsider, org=cast.branch, data=data())


def test_member_may_not_schedule(cast, branch_people):
    with pytest.raises(DomainError, match="权限"):
        services.schedule_meeting(actor=cast.member_user, org=cast.branch, data=data())


def test_branch_does_not_hold_a_leadership_meeting(cast, branch_people):
    with pytest.raises(DomainError, match="不召开民主生活会"):
        schedule(cast, kind=K.LEADERSHIP)


def test_township_committee_holds_a_leadership_meeting_with_picked_people(cast, branch_people):
    picked = [branch_people["zhang"]]
    meeting = services.schedule_meeting(
        actor=cast.township_admin,
        org=cast.township,
        data=data(kind=K.LEADERSHIP, title="年度民主生活会", invitees=picked),
    )
    assert list(meeting.attendance.values_list("member__name", flat=True)) == ["张伟"]


def test_committee_meeting_needs_its_people_picked(cast, branch_people):
    with pytest.raises(DomainError, match="请选择参会人员"):
        schedule(cast, kind=K.COMMITTEE)
    meeting = schedule(cast, kind=K.COMMITTEE, invitees=[cast.member, branch_people["zhang"]])
    assert meeting.attendance.count() == 2


def test_invitee_from_another_branch_is_refused(cast, branch_people):
    with pytest.raises(DomainError, match="王芳"):
        schedule(cast, kind=K.COMMITTEE, invitees=[cast.member, cast.neighbour])


def test_group_meeting_expects_the_group_members(cast, branch_people):
    group = create_organization(
        actor=cast.county_admin,
        parent=cast.branch,
        kind=OrgKind.GROUP,
        values={"name": "第一党小组", "code": "100000000099"},
    )
    zhang = branch_people["zhang"]
    zhang.group = group
    zhang.save()
    with pytest.raises(DomainError, match="党小组不召开"):
        services.schedule_meeting(actor=cast.secretary, org=group, data=data())
    meeting = services.schedule_meeting(
        actor=cast.secretary, org=group, data=data(kind=K.GROUP, title="党小组学习")
    )
    assert list(meeting.attendance.values_list("member__name", flat=True)) == ["张伟"]


def test_meeting_entered_on_its_day_is_not_late(cast, branch_people):
    assert not schedule(cast, date=today()).late_entry


def test_meeting_entered_the_day_after_is_late_entry(cast, branch_people):
    assert schedule(cast, date=today() - dt.timedelta(days=1)).late_entry


def test_meeting_on_the_last_day_of_a_quarter_keeps_its_date(cast, branch_people):
    meeting = schedule(cast, date=dt.date(2026, 9, 30))
    meeting.refresh_from_db()
    assert meeting.date == dt.date(2026, 9, 30)


def test_lecture_needs_a_speaker(cast, branch_people):
    with pytest.raises(DomainError, match="授课人"):
        schedule(cast, kind=K.LECTURE)


def test_chair_from_outside_is_named_not_picked(cast, branch_people):
    with pytest.raises(DomainError, match="王芳不是本组织党员"):
        schedule(cast, chair=cast.neighbour)
    assert schedule(cast, chair_name="镇党委书记刘洋").chair_name == "镇党委书记刘洋"


def test_notice_reaches_each_invitee_with_a_login_once(cast, meeting):
    assert services.send_notice(actor=cast.secretary, meeting=meeting) == 1
    assert services.send_notice(actor=cast.secretary, meeting=meeting) == 0
    note = Notification.objects.get(recipient=cast.member_user)
    assert "第三季度支部党员大会" in note.title


def test_update_changes_the_expected_list_until_held(cast, meeting, branch_people):
    services.update_meeting(
        actor=cast.secretary,
        meeting=meeting,
        version=meeting.version,
        data=data(invitees=[cast.member, branch_people["zhang"]]),
    )
    assert meeting.attendance.count() == 2


def test_stale_update_is_refused(cast, meeting):
    with pytest.raises(DomainError, match="已被他人修改"):
        services.update_meeting(
            actor=cast.secretary, meeting=meeting, version=meeting.version + 1, data=data()
        )


def test_meeting_fulfils_a_plan_item_once_and_cancelling_frees_it(cast, branch_people):
    from dangjian.meetings.plans import ItemData, add_item, create_plan

    plan = create_plan(actor=cast.secretary, org=cast.branch, year=today().year)
    item = add_item(
        actor=cast.secretary,
        plan=plan,
        version=plan.version,
        data=ItemData("general", today(), "季度党员大会"),
    )
    first = schedule(cast, plan_item=item)
    with pytest.raises(DomainError, match="已由其他会议落实"):
        schedule(cast, plan_item=item)
    services.cancel_meeting(
        actor=cast.secretary, meeting=first, reason="改期", version=first.version
    )
    assert schedule(cast, plan_item=item).plan_item == item


def test_plan_item_of_another_kind_is_refused(cast, branch_people):
    from dangjian.meetings.plans import ItemData, add_item, create_plan

    plan = create_plan(actor=cast.secretary, org=cast.branch, year=today().year)
    item = add_item(
        actor=cast.secretary,
        plan=plan,
        version=plan.version,
        data=ItemData("theme_day", today(), "主题党日"),
    )
    with pytest.raises(DomainError, match="计划"):
        schedule(cast, plan_item=item)


def _held_on(cast, day):
    """A 主题党日 held (rolled) on `day`, entered the same day."""
    with time_machine.travel(dt.datetime.combine(day, dt.time(4), tzinfo=dt.UTC), tick=False):
        m = schedule(cast, kind=MeetingKind.THEME_DAY, title="主题党日", date=day)
        services.record_attendance(actor=cast.secretary, meeting=m, rows=roll(m), version=m.version)
    m.refresh_from_db()
    return m


def test_held_meeting_date_is_corrected_and_the_cadence_follows(cast, branch_people):
    """更正: a held meeting entered with the wrong month moves to the right one, the tally with
    it; it stays not late (补录 is decided by the day of entry) and keeps its roll."""
    held = _held_on(cast, today() - dt.timedelta(days=40))
    right = today() - dt.timedelta(days=5)
    services.update_meeting(
        actor=cast.secretary,
        meeting=held,
        version=held.version,
        data=data(kind=MeetingKind.THEME_DAY, title="主题党日", date=right, place="新会议室"),
    )
    held.refresh_from_db()
    assert (held.date, held.place, held.late_entry, held.status) == (
        right,
        "新会议室",
        False,
        "held",
    )
    assert held.attendance.filter(status="present").count() == 3
    tally = CadenceTally.objects.get(org=cast.branch, year=right.year)
    assert tally.m_theme_day & (1 << (right.month - 1))
    assert check_cadence_tally([right.year, (today() - dt.timedelta(days=40)).year]) == []


def test_held_meeting_correction_refuses_a_future_date_and_another_kind(cast, branch_people):
    held = _held_on(cast, today() - dt.timedelta(days=3))
    with pytest.raises(DomainError, match="不能晚于今天"):
        services.update_meeting(
            actor=cast.secretary, meeting=held, version=held.version,
            data=data(kind=MeetingKind.THEME_DAY, date=today() + dt.timedelta(days=1)),
        )  # fmt: skip
    with pytest.raises(DomainError, match="不能更改会议类型"):
        services.update_meeting(
            actor=cast.secretary, meeting=held, version=held.version,
            data=data(kind=MeetingKind.GENERAL, date=held.date),
        )  # fmt: skip


def test_held_meeting_edit_page_offers_no_expected_list(cast, branch_people):
    held = _held_on(cast, today() - dt.timedelta(days=3))
    page = cast.client(cast.secretary).get(f"/meetings/{held.pk}/edit/").content.decode()
    assert "更正会议信息" in page and 'name="invitees"' not in page
