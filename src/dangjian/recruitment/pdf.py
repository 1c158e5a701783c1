"""发展党员 printouts (A4, the shared toolkit `core.printing`). The callers (services) check who
may print and audit it; these only draw.

发展对象公示: 「关于XXX同志拟发展为中共预备党员的公示」, the notice a branch posts after the
上级党委's 预审. Only what a 公示 shows: name, gender, birth year and month, education, unit and
post, the dates of the 入党申请, 入党积极分子 and 发展对象, the 入党介绍人, the 公示期 and whom to
write to; never the ID number or the phone (`notice_pdf`, `draw`).

发展党员全程纪实表 (`full_record`): every step taken with its date, who acted, the limit the
rules set and whether it was on time; the 推荐方式, 联系人, 介绍人, 培训, 政审, the 支部党员大会
votes' counts, the 预备期 and the 转正日期 (the ID number masked).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fpdf.enums import WrapMode

from dangjian.core.actors import actor_user
from dangjian.core.models import ProcedureStep
from dangjian.core.names import person_name
from dangjian.core.printing import LANDSCAPE, FormPdf, fmt_date, fmt_sign_date, pairs
from dangjian.core.procedures import steps_of
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import RECRUITMENT
from dangjian.votes.models import Poll
from dangjian.votes.selectors import turnout

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


# --- 发展党员全程纪实表 --------------------------------------------------------------------------

VOTE_STEPS = ("put_to_vote", "put_conversion_to_vote")
REVIEW_OUTCOMES = {"passed": "合格", "failed": "不合格"}


def timeliness(step: ProcedureStep) -> str:
    """按期 / 逾期 against the step's limit (its due date, the rule read when the clock
    started); a step without a limit shows nothing. A warning confirmed on the step is kept."""
    if step.due_date is None:
        return ""
    return "逾期" if step.effective_date > step.due_date else "按期"


def step_rows(applicant: Applicant) -> list[list[str]]:
    """序号, 日期, 步骤, 办理人, 期限, 按期/逾期, 说明 — one row per step taken (voided ones left
    out: the engine keeps them, the record shows what stands)."""
    rows = []
    for i, step in enumerate(steps_of(RECRUITMENT, applicant), start=1):
        said = [step.note] if step.note else []
        said += [str(w) for w in (step.data or {}).get("warnings", [])]
        rows.append(
            [
                str(i),
                fmt_date(step.effective_date),
                RECRUITMENT.step_label(step.step),
                person_name(step.actor),
                fmt_date(step.due_date),
                timeliness(step),
                "；".join(said),
            ]
        )
    return rows


@dataclass(frozen=True)
class VoteCounts:
    """One 支部党员大会 vote of the file, as the engine counted it."""

    title: str
    day: dt.date | None
    entitled: int  # 应到会
    present: int  # 实到会
    yes: int
    no: int
    abstain: int
    outcome: str


def vote_counts(applicant: Applicant) -> list[VoteCounts]:
    """The votes held on the file (接收预备党员, 转正/延长/取消), oldest first."""
    found = []
    for step in steps_of(RECRUITMENT, applicant):
        pk = (step.data or {}).get("poll")
        if step.step not in VOTE_STEPS or not pk:
            continue
        poll = Poll.objects.filter(pk=pk).first()
        if poll is None:
            continue
        found.append(_counts(poll, step.effective_date))
    return found


def _counts(poll: Poll, day: dt.date) -> VoteCounts:
    seen = turnout(poll, names=False)
    result = poll.result or {}
    options = result.get("options") or [{}]
    counts = options[0].get("counts", {}) if options else {}
    if poll.status != Poll.Status.CLOSED:
        outcome = "未计票"
    elif not result.get("quorum_met"):
        outcome = "到会人数不足"
    else:
        outcome = "通过" if result.get("passed") else "未通过"
    return VoteCounts(
        title=poll.title,
        day=day,
        entitled=seen.entitled,
        present=seen.present,
        yes=int(counts.get("yes", 0)),
        no=int(counts.get("no", 0)),
        abstain=int(counts.get("abstain", 0)),
        outcome=outcome,
    )


def _last(applicant: Applicant, name: str) -> ProcedureStep | None:
    return next((s for s in reversed(steps_of(RECRUITMENT, applicant)) if s.step == name), None)


def facts(applicant: Applicant) -> list[tuple[str, str]]:
    """The file's facts beside the steps: 推荐方式, 联系人, 介绍人, 培训, 政审, 预备期, 转正."""
    recommended = _last(applicant, "confirm_activist")
    how = (recommended.data or {}).get("recommendation") if recommended else None
    training = _last(applicant, "training")
    review = _last(applicant, "political_review")
    member = applicant.member
    return [
        ("推荐方式", _label(Applicant.Recommendation, how)),
        ("培养联系人", "、".join(m.name for m in applicant.contacts.order_by("name_pinyin"))),
        ("入党介绍人", "、".join(m.name for m in applicant.introducers.order_by("name_pinyin"))),
        ("集中培训", _training(training)),
        ("政治审查结论", _review(review)),
        ("预备期", _probation(applicant)),
        ("转正日期", fmt_date(member.full_date) if member and member.full_date else ""),
    ]


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return ""


def _training(step: ProcedureStep | None) -> str:
    """举办单位, from and to, days and 学时, as the 集中培训 step recorded them."""
    if step is None:
        return ""
    d = step.data or {}
    span = "至".join(_day(d.get(k)) for k in ("start", "end") if d.get(k))
    amount = "、".join(
        f"{d[k]}{unit}" for k, unit in (("days", "天"), ("hours", "学时")) if d.get(k)
    )
    said = "，".join(x for x in (str(d.get("organizer") or ""), span, amount) if x)
    return said or fmt_date(step.effective_date)


def _day(value: Any) -> str:
    try:
        return fmt_date(dt.date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def _review(step: ProcedureStep | None) -> str:
    if step is None:
        return ""
    return REVIEW_OUTCOMES.get(step.outcome, step.outcome) + f"（{fmt_date(step.effective_date)}）"


def _probation(applicant: Applicant) -> str:
    """From the 支部党员大会 resolution (the member's 入党日期) to its end (extended, if so)."""
    member = applicant.member
    if member is None or member.join_date is None:
        return ""
    end = member.probation_end
    if end is None and member.full_date:
        end = member.full_date
    extended = (
        f"（延长{applicant.extension_months}个月）"
        if _last(applicant, "approve_extend") and applicant.extension_months
        else ""
    )
    return f"{fmt_date(member.join_date)} 至 {fmt_date(end)}{extended}"


def full_record(applicant: Applicant, actor: Any) -> bytes:
    """发展党员全程纪实表 on A4 landscape."""
    pdf = FormPdf(
        orientation=LANDSCAPE, title="发展党员全程纪实表", printed_by=person_name(actor_user(actor))
    )
    pdf.title_line("发展党员全程纪实表")
    pdf.note_line(
        f"姓名：{applicant.name}    性别：{applicant.get_gender_display()}    "
        f"出生日期：{fmt_date(applicant.birth_date)}    公民身份号码：{applicant.id_masked}"
    )
    pdf.note_line(
        f"党支部：{applicant.org.name}    递交入党申请书：{fmt_date(applicant.applied_on)}"
        f"    当前状态：{RECRUITMENT.state_label(applicant.status)}"
    )
    pdf.grid_table(["项目", "情况"], [list(f) for f in facts(applicant)], col_widths=[40, 237],
                   align=("C", "L"))  # fmt: skip
    pdf.ln(3)
    pdf.grid_table(
        ["序号", "日期", "步骤", "办理人", "期限", "按期/逾期", "说明"],
        step_rows(applicant),
        col_widths=[12, 24, 62, 30, 24, 20, 105],
        align=("C", "C", "L", "C", "C", "C", "L"),
        empty="尚无办理记录",
    )
    votes = vote_counts(applicant)
    if votes:
        pdf.ln(3)
        pdf.grid_table(
            ["支部党员大会表决", "日期", "应到", "实到", "赞成", "反对", "弃权", "结果"],
            [
                [
                    v.title,
                    fmt_date(v.day),
                    str(v.entitled),
                    str(v.present),
                    str(v.yes),
                    str(v.no),
                    str(v.abstain),
                    v.outcome,
                ]
                for v in votes
            ],
            col_widths=[107, 24, 20, 20, 20, 20, 20, 46],
            align=("L", "C", "C", "C", "C", "C", "C", "C"),
        )
    pdf.paragraph("说明：期限按步骤开始计时之日有效的规则计算；逾期办理的步骤经确认后办理，"
                  "确认时的提示记在说明栏。")  # fmt: skip
    return pdf.to_bytes()
