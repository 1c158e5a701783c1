"""计票单 / 选举结果报告 (PDF): the record of one counted poll, for the tellers to sign.

Only draws: the caller (views.record_pdf) checks the permission; selectors.poll_report
prepares the report.
Uses the shared FormPdf (core.printing: A4, the server's CJK font embedded, printed-by footer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from fpdf.enums import WrapMode

from dangjian.core.printing import BLANK, FAMILY, HEADING, LABEL, FormPdf, fmt_sign_date

if TYPE_CHECKING:
    from dangjian.votes.selectors import PollReport


def _title(report: PollReport) -> str:
    return "选举结果报告" if report.poll.kind == "election" else "计票单"


def _numbers(pdf: FormPdf, report: PollReport) -> None:
    r = report.result
    pairs = [
        ("应到会人数", report.entitled),
        ("实到会人数", report.present),
        ("发出票数", report.issued),
        ("收回票数", report.returned),
        ("有效票", r.valid),
        ("无效票", r.invalid),
    ]
    with pdf.table(
        col_widths=(1, 1) * 3,
        first_row_as_headings=False,
        line_height=6,
        padding=(1, 1.2),
        text_align="C",
    ) as table:
        for start in (0, 3):
            row = table.row()
            for label, value in pairs[start : start + 3]:
                row.cell(label, style=LABEL)
                row.cell(str(value))
    pdf.ln(2)
    verdicts = ["到会人数符合规定" if r.quorum_met else "到会人数未达到规定比例，本次表决不作决定"]
    if r.void:
        verdicts.append("收回票数多于发出票数，本次投票无效")
    pdf.note_line("；".join(verdicts) + "。")


def _table(pdf: FormPdf, report: PollReport) -> None:
    first = "表决事项" if report.poll.kind == "motion" else "姓名"
    headings = ["序号", first, *report.columns, "结果"]
    width = pdf.epw
    name_w, outcome_w, number_w = 40.0, 26.0, 12.0
    count_w = (width - name_w - outcome_w - number_w) / max(1, len(report.columns))
    pdf.set_font(FAMILY, size=10)
    with pdf.table(
        col_widths=(number_w, name_w, *([count_w] * len(report.columns)), outcome_w),
        headings_style=HEADING,
        line_height=6,
        padding=(1, 1.2),
        text_align="C",
        wrapmode=WrapMode.CHAR,
    ) as table:
        table.row(headings)
        for i, row in enumerate(report.rows, start=1):
            table.row([str(i), row.name, *(str(n) for n in row.counts), row.outcome])


def _outcome(pdf: FormPdf, report: PollReport) -> None:
    r, poll = report.result, report.poll
    pdf.ln(2)
    if poll.kind == "election":
        pdf.note_line(f"当选：{'、'.join(report.elected) or '无'}")
        if report.runoff:
            pdf.note_line(
                f"票数相等须再次投票：{'、'.join(report.runoff)}（{r.runoff_seats} 个名额）"
            )
        if r.unfilled:
            pdf.note_line(f"尚缺 {r.unfilled} 名，另行选举。")
    elif poll.kind == "motion":
        pdf.note_line(f"表决结果：{'通过' if r.passed else '未通过'}")


def poll_record_pdf(report: PollReport, *, printed_by: str = "") -> bytes:
    """计票单 (表决、评议) or 选举结果报告 (选举), A4 portrait."""
    poll = report.poll
    title = _title(report)
    pdf = FormPdf(orientation="P", title=f"{title}（{poll}）", printed_by=printed_by)
    pdf.title_line(title)
    pdf.note_line(f"党组织：{poll.organization.name}")
    pdf.note_line(f"表决事项：{poll}")
    if poll.context:
        pdf.note_line(f"会议或程序：{poll.context}")
    # The count's date where it happened (Beijing), not UTC's: 07:47 on 12-06 is 12-06.
    when = timezone.localdate(poll.closed_at) if poll.closed_at else poll.electorate_on
    pdf.note_line(f"计票日期：{fmt_sign_date(when)}    投票方式：{poll.get_method_display()}")
    pdf.set_font(FAMILY, size=10)
    rules = "表决规则：" + "；".join(report.rules) + "。"
    pdf.multi_cell(0, 6, rules, align="L", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _numbers(pdf, report)
    _table(pdf, report)
    _outcome(pdf, report)
    pdf.set_font(FAMILY, size=8)
    pdf.ln(2)
    digest = f"选票摘要（SHA-256）：{poll.ballots_digest}"
    pdf.multi_cell(0, 5, digest, align="L", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    pdf.signatures([f"监票人：{BLANK[:10]}", f"计票人：{BLANK[:10]}", f"主持人：{BLANK[:10]}"])
    pdf.signatures(["", "", f"日期：{fmt_sign_date(when)}"])
    return pdf.to_bytes()
