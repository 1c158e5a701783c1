"""流动党员活动证, printed on A4 to the layout of the 中组部 template's fields (the card itself is
printed by the provincial organization department; this is the registration copy the 基层党委
stamps over the photo). The caller checks who may print and audits it; this module only draws.
"""

from __future__ import annotations

from dangjian.core.printing import FormPdf, fmt_date, fmt_sign_date
from dangjian.mobile.models import MobileStay
from dangjian.mobile.regions import region_name


def permit_pdf(stay: MobileStay, *, printed_by: str, record_url: str) -> bytes:
    member = stay.member
    pdf = FormPdf(title="流动党员活动证", printed_by=printed_by)
    pdf.title_line("流动党员活动证")
    pdf.note_line(f"编号：{stay.permit_number or '（未发放）'}")
    rows = [
        ("姓名", member.name, "性别", member.get_gender_display()),
        ("党员类别", member.get_category_display(), "入党日期", fmt_date(member.join_date)),
        ("所在党组织", stay.home_org.name, "外出日期", fmt_date(stay.start_on)),
        ("外出原因", stay.get_reason_display(), "预计外出", f"{stay.expected_months} 个月"),
        ("流入地", f"{region_name(stay.region_code)} {stay.address}", "", ""),
        ("流入地党组织", stay.destination_name or "（待确定）", "", ""),
        ("有效期至", fmt_date(stay.permit_valid_until), "照片", "（一寸免冠照片，加盖钢印）"),
    ]
    pdf.grid_table(
        ["项目", "内容", "项目", "内容"],
        [list(r) for r in rows],
        col_widths=[30, 70, 25, 55],
        align=("C", "L", "C", "L"),
        min_row_height=10,
    )
    pdf.paragraph(
        "持证党员到达流入地后，应持本证及时向流入地党组织报到，参加组织生活，按期交纳党费；"
        "在流入地党组织没有表决权、选举权和被选举权。返回时将本证交回流出地党组织查验。"
    )
    pdf.grid_table(
        ["报到日期", "流入地党组织（盖章）", "参加组织生活情况", "查验记录"],
        [["", "", "", ""] for _ in range(4)],
        col_widths=[30, 60, 50, 40],
        min_row_height=12,
    )
    pdf.signatures([f"发证党组织：{stay.home_org.name}（盖章）", fmt_sign_date(stay.start_on)])
    pdf.draw_qr(record_url, x=170, y=250, size=25)
    return pdf.to_bytes()
