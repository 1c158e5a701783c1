"""扫码确认出席: a member confirms their own presence at a meeting by scanning a code shown on
the screen there, or by typing its short form.

The code changes every `DANGJIAN_SCAN_WINDOW_SECONDS` (30 s): it is an HMAC-SHA256 over the
meeting's id and the window number (unix time // window), keyed with the meeting's own secret
`scan_key`, written in the votes token alphabet (no 0/O, 1/I). The current window's code and
the one before it are accepted, so a scan taken at second 29 that arrives at second 31 works;
a photo sent home is stale within a minute.

Low burden (中办国办 2024《整治形式主义为基层减负若干规定》): scanning is never required, never
counted, ranked or reported. A scan only fills in the same `Attendance` row the secretary's roll
fills in (status 出席, `via` 扫码 shown as a small note on the meeting's own list); it stores no
location, device or address beyond the audit entry every attendance change has, and the
secretary's roll may always correct it.

Concurrency: a scan is one conditional UPDATE of the member's own attendance row (and, for an
incoming 流动党员 with no row yet, one INSERT); the meeting row is never locked, so a whole
branch scanning within a minute never waits on itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import scope_for
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.exceptions import DomainError
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.selectors import away_on, incoming_members
from dangjian.meetings.services import expected_rows
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.votes.models import TOKEN_ALPHABET

STEP = Organization.steplen  # one level of the tree's path
CODE_LENGTH = 6  # 32**6 ≈ 10^9 codes: guessing one of the two valid ones in a minute is hopeless

SCAN = register_action("meetings.scan", "扫码确认出席")
SET_SCAN = register_action("meetings.set_scan_enabled", "设置扫码确认出席")

EXPIRED = "签到码已过期，请扫描屏幕上的最新二维码"
EXPIRED_TYPED = "签到码已过期，请输入屏幕上的最新签到码"
WRONG = "签到码不正确，请核对屏幕上的签到码"


class ScanRefused(DomainError):
    """A scan refused. `retry`: the code was wrong or stale (scan again, or type it); otherwise
    this person cannot confirm presence at this meeting by scanning at all."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message, field="code" if retry else None)
        self.retry = retry


@dataclass(frozen=True)
class ScanResult:
    meeting: Meeting
    already: bool  # the member was already recorded present (a second scan, or the roll)


def window_seconds() -> int:
    return int(settings.DANGJIAN_SCAN_WINDOW_SECONDS)


def window_of(now: dt.datetime) -> int:
    """The number of the code window `now` falls in."""
    return int(now.timestamp()) // window_seconds()


def code_for(meeting: Meeting, window: int) -> str:
    """The meeting's code in window `window`: HMAC-SHA256 (key: the meeting's scan_key) over
    "<meeting id>:<window>", read as CODE_LENGTH letters of the token alphabet."""
    message = f"{meeting.pk}:{window}".encode()
    digest = hmac.new(meeting.scan_key.encode(), message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(CODE_LENGTH):
        number, rest = divmod(number, len(TOKEN_ALPHABET))
        letters.append(TOKEN_ALPHABET[rest])
    return "".join(letters)


def current_code(meeting: Meeting, now: dt.datetime) -> str:
    """The code the meeting's screen shows at `now`."""
    return code_for(meeting, window_of(now))


def normalize(code: str) -> str:
    """What a member typed, as the code is written: upper case, without spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def _same(code: str, meeting: Meeting, window: int) -> bool:
    # as bytes: compare_digest refuses str with characters outside ASCII (a typed 汉字)
    return hmac.compare_digest(code.encode(), code_for(meeting, window).encode())


def _accepted(meeting: Meeting, code: str, now: dt.datetime) -> bool:
    window = window_of(now)
    return any(_same(code, meeting, w) for w in (window, window - 1))


def _stale(meeting: Meeting, code: str, now: dt.datetime) -> bool:
    """Whether `code` is this meeting's code of an earlier window today (a photo, a late tap)."""
    if len(code) != CODE_LENGTH:
        return False
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    first, last = window_of(midnight), window_of(now) - 2
    return any(_same(code, meeting, w) for w in range(last, first - 1, -1))


def check_code(meeting: Meeting, code: str, now: dt.datetime) -> None:
    code = normalize(code)
    if _accepted(meeting, code, now):
        return
    raise ScanRefused(EXPIRED if _stale(meeting, code, now) else WRONG, retry=True)


def check_open(meeting: Meeting, now: dt.datetime) -> None:
    """Scanning is on, the meeting is not cancelled and it is the meeting's day (Beijing date)."""
    if not meeting.scan_enabled:
        raise ScanRefused("本次会议未开启扫码确认出席，请向会议记录人说明出席情况")
    if meeting.status == Meeting.Status.CANCELLED:
        raise ScanRefused("本次会议已取消")
    if timezone.localdate(now) != meeting.date:
        raise ScanRefused(f"只能在会议当天（{meeting.date:%Y年%-m月%-d日}）扫码确认出席")


def own_member_id(actor: Any) -> int:
    member_id = scope_for(actor).own_member_id
    if member_id is None:
        raise ScanRefused("您的账号没有关联党员档案，不能扫码确认出席，请向会议记录人说明出席情况")
    return member_id


def is_incoming(member_id: int, meeting: Meeting) -> bool:
    """流入党员: the member is away from home on the meeting's date with the holding
    organization (or one under it) as the destination; they may attend, not 应到 there (the
    same selector the roll's 外单位 list uses)."""
    return incoming_members(meeting.org, meeting.date).filter(pk=member_id).exists()


def _on_default_list(meeting: Meeting, member_id: int) -> bool:
    """A meeting made by another app (a 党员大会 of 四议两公开) may have no list saved yet: the
    member is on its kind's default list (meetings.services.expected_rows)."""
    rows = expected_rows(meeting)
    return any(a.pk is None for a in rows) and any(a.member_id == member_id for a in rows)


def _save_default_list(meeting: Meeting) -> None:
    """Write the default list as the roll would; a concurrent scan writing it too is harmless
    (ON CONFLICT DO NOTHING on the one-row-per-member constraint)."""
    missing = [a for a in expected_rows(meeting) if a.pk is None]
    Attendance.objects.bulk_create(missing, ignore_conflicts=True)


def scan(*, actor: Any, meeting: Meeting, code: str, now: dt.datetime | None = None) -> ScanResult:
    """扫码确认出席: the actor's own member record is marked 出席 at `meeting`.

    Refused (ScanRefused, in Chinese) unless the actor's login has a member record, scanning is
    on, the meeting is today and not cancelled, the code is the current or the previous
    window's, and the member is on the meeting's list (an attendance row) or an incoming
    流动党员 of the holding organization. Sets 出席 whatever the row said before (a member
    recorded 请假 or 缺席 who came after all); the secretary's roll may correct it. A second scan
    changes nothing and says so. The polls held in the meeting take their 到会 from the roll
    (meetings.services.record_attendance), not from each scan: a scan never touches a poll.
    """
    now = now or timezone.now()
    member_id = own_member_id(actor)
    check_open(meeting, now)
    check_code(meeting, code, now)
    present = Attendance.Status.PRESENT
    own_row = Attendance.objects.filter(meeting=meeting, member_id=member_id)

    def mark() -> int:
        return own_row.exclude(status=present).update(
            status=present, reason="", via=Attendance.Via.SCAN, recorded_at=now
        )

    with transaction.atomic():
        changed = mark()
        if not changed:
            if own_row.exists():
                return ScanResult(meeting, already=True)
            if _on_default_list(meeting, member_id):
                _save_default_list(meeting)
                if not mark():
                    return ScanResult(meeting, already=True)
            elif not is_incoming(member_id, meeting):
                raise ScanRefused(
                    "您不在本次会议的应到人员名单中，不能扫码确认出席；如需列席请向会议记录人说明"
                )
            elif not _add_incoming(meeting, member_id, now):
                return ScanResult(meeting, already=True)
        record_audit(
            SCAN,
            actor=actor,
            target=meeting,
            detail={"党员": _member_name(actor, member_id), "出席情况": "出席", "登记方式": "扫码"},
        )
    return ScanResult(meeting, already=False)


def _add_incoming(meeting: Meeting, member_id: int, now: dt.datetime) -> bool:
    """The 流入党员's row (not 应到 here); False if a concurrent scan of theirs added it first."""
    try:
        with transaction.atomic():
            Attendance.objects.create(
                meeting=meeting,
                member_id=member_id,
                expected=False,
                status=Attendance.Status.PRESENT,
                via=Attendance.Via.SCAN,
                recorded_at=now,
            )
    except IntegrityError:
        return False
    return True


def _member_name(actor: Any, member_id: int) -> str:
    """The member's name for the audit entry: the login's member record, which the scope has
    just loaded (no query), unless it is somehow another."""
    member = getattr(actor_user(actor), "member", None)
    if member is not None and member.pk == member_id:
        return str(member.name)
    return str(Member.objects.filter(pk=member_id).values_list("name", flat=True).first() or "")


def todays_meetings(actor: Any, now: dt.datetime) -> list[Meeting]:
    """The meetings the actor might scan into now: today's, scanning on, not cancelled, with the
    actor on the list, or held by an organization above (or at) the actor's own, their 党小组
    or the destination of their stay (`scan` then decides)."""
    member_id = scope_for(actor).own_member_id
    if member_id is None:
        return []
    day = timezone.localdate(now)
    listed = Attendance.objects.filter(member_id=member_id).values("meeting_id")
    org_path, group_path = Member.objects.values_list("org_path", "group__path").get(pk=member_id)
    homes = [p for p in (org_path, group_path) if p]
    stay = away_on([member_id], day).get(member_id)
    if stay is not None and stay.destination_path:
        homes.append(stay.destination_path)
    above = {home[:end] for home in homes for end in range(STEP, len(home) + 1, STEP)}
    candidates = Meeting.objects.filter(date=day, scan_enabled=True, status__in=_not_cancelled())
    return list(candidates.filter(Q(pk__in=listed) | Q(org_path__in=above)).order_by("pk"))


def _not_cancelled() -> list[str]:
    return [s for s in Meeting.Status.values if s != Meeting.Status.CANCELLED]


def scan_typed(*, actor: Any, code: str, now: dt.datetime | None = None) -> ScanResult:
    """输入签到码: the member typed the short code; it names the meeting among today's meetings
    they could scan into."""
    now = now or timezone.now()
    own_member_id(actor)
    typed = normalize(code)
    if not typed:
        raise ScanRefused("请输入屏幕上显示的签到码", retry=True)
    meetings = todays_meetings(actor, now)
    for meeting in meetings:
        if _accepted(meeting, typed, now):
            return scan(actor=actor, meeting=meeting, code=typed, now=now)
    if any(_stale(m, typed, now) for m in meetings):
        raise ScanRefused(EXPIRED_TYPED, retry=True)
    if not meetings:
        raise ScanRefused("今天没有您可以扫码确认出席的会议（会议未开启扫码，或您不在应到名单中）")
    raise ScanRefused(WRONG, retry=True)


def may_present(actor: Any, meeting: Meeting) -> bool:
    """Whether the actor may show the code and switch scanning on or off (组织会议和组织生活)."""
    return scope_for(actor).can(Ability.RUN_MEETINGS, meeting.org_path)


def set_scan_enabled(*, actor: Any, meeting: Meeting, enabled: bool) -> Meeting:
    """设置扫码确认出席: switch scanning on or off for one meeting.

    Only this one column is written (a conditional UPDATE, no version bump): someone editing the
    minutes in another tab is not made to start again.
    """
    if not may_present(actor, meeting):
        raise DomainError("您在该组织没有“组织会议和组织生活”的权限")
    if enabled and meeting.status == Meeting.Status.CANCELLED:
        raise DomainError("会议已取消，不能开启扫码确认出席")
    with transaction.atomic():
        changed = (
            Meeting.objects.filter(pk=meeting.pk)
            .exclude(scan_enabled=enabled)
            .update(scan_enabled=enabled)
        )
        if changed:
            record_audit(
                SET_SCAN,
                actor=actor,
                target=meeting,
                detail={"扫码确认出席": "开启" if enabled else "关闭"},
            )
    meeting.scan_enabled = enabled
    return meeting
