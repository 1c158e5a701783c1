"""民主评议党员结果汇总表: one branch's appraisal of one year on A4 landscape — each member, the
民主测评 counts per grade, the 组织评定 grade (预备党员: 不评定等次), and the signature lines.
The caller (services.print_result_sheet) checks who may print and audits it; this only draws."""

from __future__ import annotations

from typing import Any

from dangjian.appraisal.models import UNGRADED, Appraisal
from dangjian.appraisal.selectors import grade_label, test_counts
from dangjian.core.actors import actor_user
from dangjian.core.names import person_name
from dangjian.core.printing import LANDSCAPE, FormPdf, fmt_date, fmt_sign_date
from dangjian.votes.models import GRADES


def _sealed_name(name: str) -> str:
    return name if name.startswith("中共") else f"中共{name}"


def sheet_rows(appraisal: Appraisal) -> list[list[str]]:
    """序号, 姓名, 类别, the 测评 count of each grade, 组织评定等次, 备注 — one row per member."""
    counts = test_counts(appraisal)
    rows = []
    for i, entry in enumerate(appraisal.entries.order_by("pk"), start=1):
        per = counts.get(entry.member_id, {})
        if entry.graded:
            tested = [str(per.get(code, 0)) if per else "" for code, _ in GRADES]
            grade = grade_label(entry.grade) if entry.grade else ""
            kind = "正式党员"
        else:
            tested = ["—"] * len(GRADES)
            grade = grade_label(UNGRADED)
            kind = "预备党员"
        rows.append([str(i), entry.name, kind, *tested, grade, ""])
    return rows


def result_sheet_pdf(appraisal: Appraisal, actor: Any) -> bytes:
    pdf = FormPdf(
        orientation=LANDSCAPE,
        title="民主评议党员结果汇总表",
        printed_by=person_name(actor_user(actor)),
    )
    pdf.title_line(f"{appraisal.year}年度民主评议党员结果汇总表")
    meeting = appraisal.meeting
    pdf.note_line(
        f"党支部：{appraisal.org.name}    组织生活会：{fmt_date(meeting.date) if meeting else '—'}"
        f"    组织评定：{appraisal.get_rated_by_display() or '—'} {fmt_date(appraisal.rated_on)}"
    )
    rows = sheet_rows(appraisal)
    pdf.grid_table(
        ["序号", "姓名", "类别", *[f"测评{label}" for _, label in GRADES], "组织评定等次", "备注"],
        rows,
        col_widths=[14, 32, 26, 25, 25, 27, 25, 36, 67],
        align=("C", "C", "C", "C", "C", "C", "C", "C", "L"),
        min_row_height=8,
    )
    pdf.paragraph("说明：民主测评票数为组织生活会计票结果；预备党员参加评议，不评定等次。")
    pdf.signatures(
        [
            f"{_sealed_name(appraisal.org.name)}（盖章）",
            "支部书记（签字）：",
            fmt_sign_date(appraisal.rated_on) if appraisal.rated_on else "    年  月  日",
        ]
    )
    return pdf.to_bytes()
