"""账号开通通知单: one slip per member with the login and its one-time password, cut apart.

Drawn from memory right after the accounts are created (members.accounts) and never stored.
Three slips to an A4 page, a dashed cut line after each, a QR code of the login address.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction

from dangjian.core.printing import FAMILY, FormPdf, find_cjk_font
from dangjian.members.accounts import IssuedAccount, create_member_accounts
from dangjian.orgs.models import Organization

SLIPS_PER_PAGE = 3
SLIP_HEIGHT = 84.0  # mm: three slips and their cut lines fill the printable height
QR_SIZE = 34.0


def _slip(pdf: FormPdf, issued: IssuedAccount, login_url: str) -> None:
    top = pdf.get_y()
    pdf.set_font(FAMILY, "B", 14)
    pdf.cell(0, 10, "党建平台登录账号通知单", align="C", new_x="LMARGIN", new_y="NEXT")
    text_width = pdf.epw - QR_SIZE - 6
    rows = [
        ("姓名", issued.member_name),
        ("所在党组织", issued.org_name),
        ("登录名", issued.username),
        ("一次性密码", issued.password),
        ("登录地址", login_url),
    ]
    for label, value in rows:
        pdf.set_font(FAMILY, size=10.5)
        pdf.cell(26, 7.5, f"{label}：")
        pdf.set_font(FAMILY, "B" if label in ("登录名", "一次性密码") else "", 12)
        pdf.multi_cell(text_width - 26, 7.5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)
    pdf.multi_cell(
        text_width,
        5,
        "首次登录后须立即修改密码。一次性密码只打印这一次，系统中不保存，请当面交给本人；"
        "遗失请联系系统管理员重置。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.draw_qr(login_url, x=pdf.l_margin + pdf.epw - QR_SIZE, y=top + 12, size=QR_SIZE)
    pdf.set_font(FAMILY, size=8)
    pdf.set_xy(pdf.l_margin + pdf.epw - QR_SIZE, top + 12 + QR_SIZE)
    pdf.cell(QR_SIZE, 4, "扫码打开登录页", align="C")
    pdf.set_xy(pdf.l_margin, top + SLIP_HEIGHT - 8)
    pdf.cut_line()


def account_slips_pdf(
    issued: Sequence[IssuedAccount], *, login_url: str, printed_by: str = ""
) -> bytes:
    """The slips of the accounts just created, A4 portrait, three to a page."""
    pdf = FormPdf(title="党建平台登录账号通知单", printed_by=printed_by)
    pdf.set_auto_page_break(False)  # slips are placed by hand, never split across pages
    for number, item in enumerate(issued):
        if number and number % SLIPS_PER_PAGE == 0:
            pdf.add_page()
        pdf.set_xy(pdf.l_margin, pdf.t_margin + (number % SLIPS_PER_PAGE) * SLIP_HEIGHT)
        _slip(pdf, item, login_url)
    return pdf.to_bytes()


def issue_account_slips(
    *,
    actor: Any,
    org: Organization,
    member_ids: Iterable[int],
    login_url: str,
    printed_by: str = "",
) -> tuple[int, bytes]:
    """开通并打印: create the accounts and draw their slips in one transaction, so accounts exist
    only if their slips were drawn (a missing font leaves no account whose password is lost).
    Returns how many accounts and the PDF, which the caller sends and does not keep."""
    find_cjk_font()  # before anything is written: PdfFontMissing leaves nothing behind
    with transaction.atomic():
        issued = create_member_accounts(actor=actor, org=org, member_ids=member_ids)
        return len(issued), account_slips_pdf(issued, login_url=login_url, printed_by=printed_by)
