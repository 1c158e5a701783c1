"""组织关系介绍信 as printed: one A4 page in three parts with one serial number — 存根 (kept by
the issuing 党委), 介绍信 (carried by the member) and 回执 (returned by the receiving
committee) — cut apart along dashed lines. Drawn with `core.printing`; the caller checks the
permission, masks or reveals the ID number and writes the audit entry."""

from __future__ import annotations

import datetime as dt

from dangjian.core.printing import FormPdf, fmt_sign_date
from dangjian.members.choices import MemberCategory
from dangjian.transfers.models import Transfer


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _facts(t: Transfer, id_number: str) -> str:
    m = t.member
    on = t.issue_date or dt.date.today()
    kind = "预备党员" if m.category == MemberCategory.PROBATIONARY else "正式党员"
    return (
        f"{m.name}同志（{m.get_gender_display()}，{_age(m.birth_date, on)}岁，"
        f"{m.get_ethnicity_display()}，{kind}，公民身份号码 {id_number}）"
    )


def _dates(t: Transfer) -> str:
    issued = fmt_sign_date(t.issue_date) if t.issue_date else "____年__月__日"
    until = fmt_sign_date(t.valid_until) if t.valid_until else "____年__月__日"
    return f"开具日期：{issued}    有效期至：{until}"


def transfer_letter_pdf(
    transfer: Transfer, *, id_number: str, printed_by: str = "", qr_url: str | None = None
) -> bytes:
    """The three parts of the letter (`id_number` as it is to be printed: masked or full;
    `qr_url`: printed as a QR code on the 介绍信, e.g. the transfer packet's address)."""
    t = transfer
    issuer = t.approver.name
    dues = t.dues_paid_to or "____年__月"
    serial = t.serial or "____字第____号"
    facts = _facts(t, id_number)
    pdf = FormPdf(title=f"组织关系介绍信 {serial}", printed_by=printed_by)

    pdf.title_line("中国共产党党员组织关系介绍信（存根）", size=14)
    pdf.note_line(serial)
    pdf.paragraph(f"{facts}，由{t.from_org.name}转到{t.destination}。党费已缴到{dues}。", size=10.5)
    pdf.note_line(_dates(t))
    pdf.note_line(f"转接原因：{t.reason}")
    pdf.cut_line("存根 / 介绍信 沿此线剪开（骑缝处加盖公章）")

    top = pdf.get_y()
    pdf.title_line("中国共产党党员组织关系介绍信", size=14)
    pdf.note_line(serial)
    pdf.paragraph(f"{t.destination}：", size=10.5)
    pdf.paragraph(
        f"    兹介绍{facts}的党员组织关系转去你处，请接洽。该同志党费已缴到{dues}。",
        size=10.5,
    )
    pdf.note_line(f"（有效期至 {fmt_sign_date(t.valid_until) if t.valid_until else '____'}）")
    pdf.signatures([f"{issuer}（盖章）", fmt_sign_date(t.issue_date) if t.issue_date else ""])
    if qr_url:
        pdf.draw_qr(qr_url, x=pdf.l_margin + pdf.epw - 24, y=top + 2, size=24)
    pdf.cut_line("介绍信 / 回执 沿此线剪开（骑缝处加盖公章）")

    pdf.title_line("中国共产党党员组织关系介绍信（回执）", size=14)
    pdf.note_line(serial)
    pdf.paragraph(f"{issuer}：", size=10.5)
    pdf.paragraph(f"    {t.member.name}同志的党员组织关系已转达我处，特此回执。", size=10.5)
    pdf.signatures(["接收党组织（盖章）", "报到日期：____年__月__日"])
    return pdf.to_bytes()
