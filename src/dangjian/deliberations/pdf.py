"""「四议两公开」工作记录 (PDF) of one 村级重大事项: every step with its date, counts and result,
for the village's files. Only draws: `services.print_record` checks the permission and audits."""

from __future__ import annotations

from typing import Any

from dangjian.core.printing import FormPdf, fmt_date
from dangjian.core.procedures import steps_of
from dangjian.deliberations.models import Matter
from dangjian.deliberations.procedures import FOUR_TWO


def _counts(data: dict[str, Any]) -> str:
    keys = ("应到会", "实到会", "赞成", "反对", "弃权")
    return "，".join(f"{k} {data[k]}" for k in keys if k in data)


def _steps_table(pdf: FormPdf, matter: Matter) -> None:
    rows = []
    for s in steps_of(FOUR_TWO, matter):
        data = dict(s.data or {})
        said = [_counts(data), data.get("explanation", ""), data.get("merged", ""), s.note]
        rows.append(
            [
                fmt_date(s.effective_date),
                FOUR_TWO.step_label(s.step),
                "；".join(x for x in said if x),
            ]
        )
    pdf.grid_table(["日期", "步骤", "情况"], rows, col_widths=[28, 50, pdf.epw - 78],
                   align=("C", "L", "L"), empty="尚未办理")  # fmt: skip


def _section(pdf: FormPdf, title: str, lines: list[str]) -> None:
    pdf.ln(2)
    pdf.note_line(title, size=12)
    for line in lines:
        if line:
            pdf.paragraph(line)


def work_record_pdf(matter: Matter, *, printed_by: str = "") -> bytes:
    m = matter
    pdf = FormPdf(title=f"四议两公开工作记录 {m.title}", printed_by=printed_by)
    pdf.title_line("「四议两公开」工作记录")
    pdf.note_line(f"村党组织：{m.org.name}    事项类别：{m.get_category_display()}")
    pdf.note_line(f"事项名称：{m.title}")
    pdf.note_line(f"当前状态：{m.get_status_display() or '未开始'}")
    _section(
        pdf, "一、党组织提议", [f"提议日期：{fmt_date(m.proposed_on)}", f"初步方案：{m.content}"]
    )
    if m.one_person_both_posts:
        pdf.paragraph(f"书记兼任村委会主任（一肩挑）。{m.merge_reason}")
    consult = []
    if m.consult_outcome:
        consult = [
            f"商议日期：{fmt_date(m.consult_on)}    商议结果：{m.get_consult_outcome_display()}",
            f"参加人员：{m.consult_participants}",
        ]
        if m.consult_yes is not None:
            consult.append(
                f"表决：赞成 {m.consult_yes}，反对 {m.consult_no}，弃权 {m.consult_abstain}"
            )
        consult.append(m.consult_note)
    elif m.plan_sent_on and m.one_person_both_posts:
        consult = ["提议与商议合并进行（一肩挑）。"]
    _section(pdf, "二、“两委”会议商议", consult or ["尚未商议。"])
    review = [f"方案送达党员日期：{fmt_date(m.plan_sent_on)}"] if m.plan_sent_on else []
    if m.meeting is not None:
        review.append(f"党员大会日期：{fmt_date(m.meeting.date)}  地点：{m.meeting.place or '—'}")
    _section(pdf, "三、党员大会审议", review or ["尚未审议。"])
    villagers = [
        f"{fmt_date(v.held_on)} {v.get_kind_display()}：应到会 {v.entitled}，实到会 {v.present}，"
        f"赞成 {v.yes}，反对 {v.no}，弃权 {v.abstain}。{v.explanation}。"
        for v in m.villager_meetings.all()
    ]
    _section(pdf, "四、村民会议或村民代表会议决议", villagers or ["尚未决议。"])
    pubs = [
        f"{p.get_kind_display()}：{fmt_date(p.published_on)}，{p.where}。{p.text}"
        for p in m.publications.order_by("published_on", "pk")
    ]
    _section(pdf, "五、公开", pubs or ["尚未公开。"])
    _section(pdf, "办理记录", [])
    _steps_table(pdf, m)
    pdf.signatures(["记录人：", "村党组织书记：", "（盖章）"])
    return pdf.to_bytes()
