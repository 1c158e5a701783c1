"""Serializers of the 组织生活 API. Names are prefixed (Meeting…) so the schema's components do
not collide with the votes API's."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from dangjian.core.dates import BoundedDateSerializerField, today
from dangjian.meetings.models import Attendance, Meeting, MeetingKind


def _a_year_ahead() -> Any:
    import datetime as dt

    return today() + dt.timedelta(days=366)


class MeetingTallySerializer(serializers.Serializer):  # type: ignore[type-arg]
    expected = serializers.IntegerField(label="应到")
    present = serializers.IntegerField(label="实到")
    leave = serializers.IntegerField(label="请假")
    absent = serializers.IntegerField(label="缺席")
    others = serializers.IntegerField(label="外单位参会")


class MeetingSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    org = serializers.IntegerField(source="org_id", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    kind = serializers.ChoiceField(choices=MeetingKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    title = serializers.CharField(read_only=True)
    topics = serializers.SerializerMethodField()
    date = serializers.DateField(read_only=True)
    start_time = serializers.TimeField(read_only=True, allow_null=True)
    end_time = serializers.TimeField(read_only=True, allow_null=True)
    place = serializers.CharField(read_only=True)
    chair_name = serializers.SerializerMethodField()
    recorder_name = serializers.SerializerMethodField()
    speaker = serializers.CharField(read_only=True)
    notice = serializers.CharField(read_only=True)
    noticed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=Meeting.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    late_entry = serializers.BooleanField(read_only=True, label="补录")
    cancel_reason = serializers.CharField(read_only=True)
    discussion = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    def get_topics(self, m: Meeting) -> list[str]:
        return [t for t in m.topics.splitlines() if t.strip()]

    def get_chair_name(self, m: Meeting) -> str:
        return m.chair.name if m.chair else m.chair_name

    def get_recorder_name(self, m: Meeting) -> str:
        return m.recorder.name if m.recorder else ""

    def _everyone(self, m: Meeting) -> bool:
        from dangjian.meetings.selectors import sees_all

        return sees_all(self.context["request"].user, m)

    def get_discussion(self, m: Meeting) -> str:
        return m.discussion if self._everyone(m) else ""

    def get_decisions(self, m: Meeting) -> str:
        return m.decisions if self._everyone(m) else ""


class MeetingCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    org = serializers.IntegerField(label="党组织 id")
    kind = serializers.ChoiceField(choices=MeetingKind.choices, label="会议类型")
    title = serializers.CharField(max_length=200, label="会议主题")
    date = BoundedDateSerializerField(label="会议日期", latest=_a_year_ahead)
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)
    end_time = serializers.TimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=100, required=False, default="")
    topics = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, label="议题"
    )
    chair = serializers.IntegerField(required=False, allow_null=True, default=None)
    chair_name = serializers.CharField(max_length=50, required=False, default="")
    recorder = serializers.IntegerField(required=False, allow_null=True, default=None)
    speaker = serializers.CharField(max_length=50, required=False, default="")
    notice = serializers.CharField(required=False, default="")
    invitees = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True, default=None,
        label="应到人员（党员 id；不填为默认名单）",
    )  # fmt: skip


class MeetingAttendanceRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    member = serializers.IntegerField()
    member_name = serializers.CharField(read_only=True)
    expected = serializers.BooleanField(read_only=True)
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    reason = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    away = serializers.BooleanField(read_only=True, label="外出流动")


class MeetingGuestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=50)
    affiliation = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )


class MeetingAttendanceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    rows = MeetingAttendanceRowSerializer(many=True)
    guests = MeetingGuestSerializer(many=True, required=False)
    version = serializers.IntegerField()


class MeetingAttendanceOutSerializer(serializers.Serializer):  # type: ignore[type-arg]
    rows = MeetingAttendanceRowSerializer(many=True)
    guests = MeetingGuestSerializer(many=True)
    tally = MeetingTallySerializer(allow_null=True)
    version = serializers.IntegerField()


class MeetingMinutesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    discussion = serializers.CharField(required=False, default="", allow_blank=True)
    decisions = serializers.CharField(required=False, default="", allow_blank=True)
    version = serializers.IntegerField()


class MeetingCancelSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=200)
    version = serializers.IntegerField()


class MeetingNoticeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    notified = serializers.IntegerField(label="站内通知人数")


def attendance_out(
    meeting: Meeting, rows: list[Attendance], away: Any, everyone: bool
) -> dict[str, Any]:
    from dangjian.meetings.services import tally

    return {
        "rows": [
            {
                "member": a.member_id,
                "member_name": a.member.name,
                "expected": a.expected,
                "status": a.status,
                "reason": a.reason,
                "away": a.member_id in away,
            }
            for a in rows
        ],
        "guests": [{"name": g.name, "affiliation": g.affiliation} for g in meeting.guests.all()]
        if everyone
        else [],
        "tally": tally(meeting).__dict__ if everyone else None,
        "version": meeting.version,
    }
