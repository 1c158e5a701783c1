"""会议记录 of one meeting and the organization's 三会一课登记簿, on A4. The caller (services)
checks who may print and audits it; this module only draws."""

from __future__ import annotations

import datetime as dt

from dangjian.core.printing import LANDSCAPE, FormPdf, fmt_date
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.selectors import attendance_rows, poll_words, register_rows
from dangjian.meetings.services import meeting_polls, tally
from dangjian.orgs.models import Organization

A = Attendance.Status


def _names(rows: list[Attendance], status: str, *, reasons: bool = False) -> str:
    picked = [a for a in rows if a.expected and a.status == status]
    if not reasons:
        return "、".join(a.member.name for a in picked) or "无"
    return "、".join(f"{a.member.name}（{a.reason or '未说明原因'}）" for a in picked) or "无"


def chair_of(meeting: Meeting) -> str:
    return meeting.chair.name if meeting.chair else meeting.chair_name


def _when(meeting: Meeting) -> str:
    text = fmt_date(meeting.date)
    if meeting.start_time:
        text += f" {meeting.start_time:%H:%M}"
        if meeting.end_time:
            text += f"—{meeting.end_time:%H:%M}"
    return text


def minutes_pdf(meeting: Meeting, *, printed_by: str, record_url: str = "") -> bytes:
    rows = attendance_rows(meeting)
    t = tally(meeting)
    pdf = FormPdf(title="会议记录", printed_by=printed_by)
    pdf.title_line(f"{meeting.org.name}{meeting.get_kind_display()}记录")
    if meeting.late_entry:
        pdf.note_line("（本记录为会后补录）")
    others = [a.member.name for a in rows if not a.expected and a.status == A.PRESENT]
    guests = [
        f"{g.name}（{g.affiliation}）" if g.affiliation else g.name for g in meeting.guests.all()
    ]
    table = [
        ["会议主题", meeting.title, "会议类型", meeting.get_kind_display()],
        ["时间", _when(meeting), "地点", meeting.place or ""],
        ["主持人", chair_of(meeting), "记录人", meeting.recorder.name if meeting.recorder else ""],
        ["应到", f"{t.expected} 人", "实到", f"{t.present} 人"],
        ["请假", f"{t.leave} 人", "缺席", f"{t.absent} 人"],
    ]
    if meeting.speaker:
        table.append(["授课人", meeting.speaker, "", ""])
    pdf.grid_table(["项目", "内容", "项目", "内容"], table, col_widths=[22, 68, 22, 68],
                   align=("C", "L", "C", "L"), min_row_height=8)  # fmt: skip
    pdf.ln(2)
    pdf.paragraph(f"出席：{_names(rows, A.PRESENT)}")
    pdf.paragraph(f"请假：{_names(rows, A.LEAVE, reasons=True)}")
    pdf.paragraph(f"缺席：{_names(rows, A.ABSENT, reasons=True)}")
    if others:
        pdf.paragraph(f"外单位参会党员：{'、'.join(others)}")
    pdf.paragraph(f"列席：{'、'.join(guests) or '无'}")
    topics = [x for x in meeting.topics.splitlines() if x.strip()]
    pdf.ln(2)
    pdf.paragraph("议题：" + ("；".join(f"{i}. {x}" for i, x in enumerate(topics, 1)) or "无"))
    pdf.ln(2)
    pdf.paragraph(f"讨论情况：{meeting.discussion or '（未录入）'}")
    pdf.ln(1)
    pdf.paragraph(f"决定事项：{meeting.decisions or '（未录入）'}")
    polls = meeting_polls(meeting)
    if polls:
        pdf.ln(1)
        for poll in polls:
            pdf.paragraph(f"表决：{poll.title}。{poll_words(poll)}")
    pdf.signatures(["主持人（签字）：", "记录人（签字）："])
    if record_url:
        pdf.draw_qr(record_url, x=170, y=250, size=25)
    return pdf.to_bytes()


def register_pdf(org: Organization, start: dt.date, end: dt.date, *, printed_by: str) -> bytes:
    pdf = FormPdf(orientation=LANDSCAPE, title="三会一课登记簿", printed_by=printed_by)
    pdf.title_line("三会一课登记簿")
    pdf.note_line(f"党组织：{org.name}　　期间：{fmt_date(start)} 至 {fmt_date(end)}")
    rows = []
    for m in register_rows(org, start, end):
        held = m.status == Meeting.Status.HELD
        rows.append([
            fmt_date(m.date), m.get_kind_display(), m.title, m.org.name, chair_of(m),
            str(m.n_expected), str(m.n_present) if held else "—",  # type: ignore[attr-defined]
            "补录" if m.late_entry else "", "" if held else m.get_status_display(),
        ])  # fmt: skip
    pdf.grid_table(
        ["日期", "会议类型", "会议主题", "召开组织", "主持人", "应到", "实到", "补录", "备注"],
        rows,
        col_widths=[26, 26, 70, 50, 24, 14, 14, 14, 19],
        align=("C", "C", "L", "L", "C", "C", "C", "C", "C"),
        empty="本期间没有登记会议",
    )
    return pdf.to_bytes()
