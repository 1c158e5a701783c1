"""发展对象公示: 「关于XXX同志拟发展为中共预备党员的公示」, the notice a branch posts after the
上级党委's 预审 (A4 portrait, the shared toolkit `core.printing`).

Only what a 公示 shows: name, gender, birth year and month, education, unit and post, the
dates of the 入党申请, 入党积极分子 and 发展对象, the 入党介绍人, the 公示期 and whom to write to;
never the ID number or the phone. The caller (`services.print_notice`) checks who may print and
audits it; this only draws.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fpdf.enums import WrapMode

from dangjian.core.printing import FormPdf, fmt_date, fmt_sign_date, pairs

# label | value | label | value (mm, 180 wide)
COLUMNS = (34, 56, 34, 56)


@dataclass(frozen=True)
class Notice:
    """What the notice says, gathered by the service from the file and its steps."""

    name: str
    gender: str
    birth: dt.date
    education: str
    work_unit_post: str
    applied_on: dt.date
    activist_on: dt.date | None
    candidate_on: dt.date | None
    introducers: list[str]
    branch: str
    committee: str
    start: dt.date  # 公示期 from (the 发布公示 day, or the print day before it is published)
    end: dt.date  # the last working day of the 公示期
    working_days: int


def title_of(name: str) -> str:
    return f"关于{name}同志拟发展为中共预备党员的公示"


def _sealed(name: str) -> str:
    return name if name.startswith("中共") else f"中共{name}"


def notice_pdf(n: Notice, *, printed_by: str) -> bytes:
    pdf = FormPdf(title=title_of(n.name), printed_by=printed_by)
    pdf.title_line(title_of(n.name), size=16)
    pdf.ln(2)
    pdf.paragraph(
        f"    经{n.branch}支部委员会审查、{n.committee}预审，{n.name}同志拟发展为中共预备党员，"
        "拟提交支部党员大会讨论。根据《中国共产党发展党员工作细则》，现将其基本情况公示如下：",
        size=11,
        height=7,
    )
    pdf.ln(2)
    with pdf.table(
        col_widths=COLUMNS,
        first_row_as_headings=False,
        line_height=6,
        min_row_height=10,
        padding=(1, 1.2),
        wrapmode=WrapMode.CHAR,
    ) as table:
        pairs(table.row(), [("姓名", n.name, 1), ("性别", n.gender, 1)])
        pairs(table.row(), [("出生年月", f"{n.birth:%Y年%m月}", 1), ("学历", n.education, 1)])
        pairs(table.row(), [("工作单位及职务", n.work_unit_post or "—", 3)])
        pairs(table.row(), [("递交入党申请书", fmt_date(n.applied_on), 3)])
        pairs(table.row(), [("确定为入党积极分子", fmt_date(n.activist_on) or "—", 3)])
        pairs(table.row(), [("确定为发展对象", fmt_date(n.candidate_on) or "—", 3)])
        pairs(table.row(), [("入党介绍人", "、".join(n.introducers) or "—", 3)])
    pdf.ln(3)
    pdf.paragraph(
        f"    公示期：{fmt_date(n.start)}至{fmt_date(n.end)}（{n.working_days}个工作日）。",
        size=11,
        height=7,
    )
    pdf.paragraph(
        f"    公示期间，党员和群众对{n.name}同志有意见或情况反映的，可通过来信、来访等方式向"
        f"{_sealed(n.branch)}或{_sealed(n.committee)}反映。反映情况应实事求是，"
        "以个人名义反映的请署真实姓名。",
        size=11,
        height=7,
    )
    pdf.ln(4)
    pdf.set_x(pdf.l_margin + pdf.epw / 2)
    pdf.cell(pdf.epw / 2, 8, _sealed(n.branch), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + pdf.epw / 2)
    pdf.cell(pdf.epw / 2, 8, fmt_sign_date(n.start), align="C", new_x="LMARGIN", new_y="NEXT")
    return pdf.to_bytes()


def draw(notice: Notice, actor: Any) -> bytes:
    from dangjian.core.actors import actor_user
    from dangjian.core.names import person_name

    return notice_pdf(notice, printed_by=person_name(actor_user(actor)))
