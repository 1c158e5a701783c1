"""工作台 items of 组织生活: meetings a member is invited to (for the member), meetings whose
day has passed without their attendance or minutes recorded (会议记录待补充, for RUN_MEETINGS
holders), and notices not yet sent for meetings coming soon. Each is one indexed count.
Registered in MeetingsConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import ScopeLike, WorkItem, window
from dangjian.meetings.models import Attendance, Meeting

LIMIT = 200
S = Meeting.Status


def _item(
    key: str, kind: str, title: str, meeting: Meeting, due: dt.date, today: dt.date
) -> WorkItem:
    return WorkItem(
        key=f"{key}:{meeting.pk}:{due}",
        kind=kind,
        title=title,
        subject=meeting.org.name,
        url=reverse("meetings:detail", args=[meeting.pk]),
        due=due,
        overdue=due < today,
    )


class InvitedMeetings:
    """待参加的会议: the member's own upcoming meetings (self-service: scope.own_member_id)."""

    key = "meetings.invited"
    label = "待参加的会议"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Meeting]:
        if scope.own_member_id is None:
            return Meeting.objects.none()
        mine = Attendance.objects.filter(member_id=scope.own_member_id, expected=True)
        return Meeting.objects.filter(
            pk__in=mine.values("meeting_id"), status=S.PLANNED, date__gte=today
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for m in self._due(scope, today).select_related("org").order_by("date", "pk")[:LIMIT]:
            when = f"{m.start_time:%H:%M} " if m.start_time else ""
            title = f"参加{m.get_kind_display()}：{m.title}（{when}{m.place or '地点待定'}）"
            yield _item(self.key, "会议", title, m, m.date, today)


class MinutesMissing:
    """会议记录待补充: meetings past their day still 待召开 (no attendance recorded), and meetings
    held within the rule's window without minutes."""

    key = "meetings.minutes_missing"
    label = "会议记录待补充"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Meeting]:
        since = today - (window("meetings.minutes_reminder_days", today) - today)
        return Meeting.objects.filter(
            any_subtree_q("org_path", scope.paths(Ability.RUN_MEETINGS)),
        ).filter(
            Q(status=S.PLANNED, date__lt=today)
            | Q(status=S.HELD, minutes_at__isnull=True, date__gte=since)
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for m in self._due(scope, today).select_related("org").order_by("date", "pk")[:LIMIT]:
            what = "出席情况" if m.status == S.PLANNED else "讨论情况和决定事项"
            title = f"{m.get_kind_display()}「{m.title}」待补充{what}"
            yield _item(self.key, "会议记录", title, m, m.date, today)


class NoticeNotSent:
    """会议通知未发送: planned meetings within the rule's days whose notice was not sent."""

    key = "meetings.notice_unsent"
    label = "会议通知待发送"

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[Meeting]:
        return Meeting.objects.filter(
            any_subtree_q("org_path", scope.paths(Ability.RUN_MEETINGS)),
            status=S.PLANNED,
            noticed_at__isnull=True,
            date__gte=today,
            date__lte=window("meetings.notice_reminder_days", today),
        )

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count()

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        for m in self._due(scope, today).select_related("org").order_by("date", "pk")[:LIMIT]:
            title = f"{m.get_kind_display()}「{m.title}」尚未发送会议通知"
            yield _item(self.key, "会议通知", title, m, m.date, today)


PROVIDERS = (InvitedMeetings(), MinutesMissing(), NoticeNotSent())
