"""Printable forms: Chinese text really rendered (extractable), masking, paging, font errors.

Needs a CJK font on the machine (CI installs fonts-noto-cjk); without one these tests fail
with the PdfFontMissing message, on purpose.
"""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import void_event
from dangjian.rosters import pdf
from dangjian.rosters.pdf import (
    FONT_MISSING_MESSAGE,
    PdfFontMissing,
    branch_roster_pdf,
    member_sheet_pdf,
)
from dangjian.testing import make_member

LONG_POST = "清河县城关镇人民政府党政综合办公室副主任科员兼档案管理员、网格长、综合治理专干"
ON = dt.date(2025, 12, 31)


@pytest.fixture(autouse=True)
def fresh_fonts():
    pdf.clear_font_cache()
    yield
    pdf.clear_font_cache()


def page_texts(data: bytes) -> list[str]:
    """Text of each page without whitespace: pypdf reads fpdf2's two-byte codes as a NUL
    and a character, and spaces the glyphs out; the ToUnicode map itself is right."""
    pages = PdfReader(io.BytesIO(data)).pages
    return ["".join(p.extract_text().replace("\x00", "").split()) for p in pages]


def roster_of(cast, count):
    make_member(cast.county_admin, cast.branch, name="阿卜杜·热合曼", work_unit_post=LONG_POST)
    for i in range(count - 2):  # every fourth converted, on the day its probation ended
        full = None if i % 4 else dt.date(2011, 7, 1)
        make_member(cast.county_admin, cast.branch, name=f"党员{i:03d}", full=full)
    return list(Member.objects.filter(org=cast.branch).select_related("org"))


def test_member_sheet_shows_labels_and_masked_values(cast):
    [text] = page_texts(member_sheet_pdf(cast.member, full=False, printed_by="县委组织部"))
    for label in ("党员基本信息表", "公民身份号码", "工作单位及职务", "党籍变动记录", "审核人"):
        assert label in text
    assert "李明" in text and "东街社区党支部" in text and "打印人：县委组织部" in text
    assert cast.member.id_masked in text and cast.member.reveal_id_number() not in text
    assert "139****1111" in text and "13900001111" not in text


def test_full_member_sheet_shows_id_number_and_phone(cast):
    [text] = page_texts(member_sheet_pdf(cast.member, full=True))
    assert cast.member.reveal_id_number() in text
    assert "13900001111" in text


def test_member_sheet_lists_events_but_not_voided_ones(cast):
    convert = cast.member.events.get(kind=MemberEvent.Kind.CONVERT)
    void_event(actor=cast.county_admin, event=convert, reason="录入错误")
    [text] = page_texts(member_sheet_pdf(cast.member, full=False))
    assert "2010.07.01接收为预备党员东街社区党支部" in text
    assert "转为正式党员" not in text


def test_member_sheet_prints_given_events_and_wraps_long_values(cast):
    cast.member.work_unit_post = LONG_POST
    event = MemberEvent(kind="out", effective_date=ON, counterpart="远山村党支部", note="工作调动")
    data = member_sheet_pdf(cast.member, full=False, events=[event])
    [text] = page_texts(data)
    assert LONG_POST in text and "远山村党支部工作调动" in text
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta.title == "党员基本信息表（李明）" and meta.creator == "dangjian"


def test_roster_of_many_members_repeats_header_and_numbers_pages(cast):
    members = roster_of(cast, 121)
    pages = page_texts(branch_roster_pdf(cast.branch, members, on=ON, full=False))
    assert len(pages) >= 3
    header = (
        "序号姓名性别民族出生日期公民身份号码学历人员类别入党日期转正日期党员类别工作单位及职务"
    )
    for number, text in enumerate(pages, start=1):
        assert header in text and f"第{number}页共{len(pages)}页" in text
    assert "东街社区党支部党员花名册" in pages[0] and "统计截止日期：2025.12.31共121人" in pages[0]
    assert "阿卜杜·热合曼" in "".join(pages) and "填报人" in pages[-1]


def test_roster_counts_categories_and_masks_by_default(cast):
    members = [cast.member, make_member(cast.county_admin, cast.branch, name="周敏", full=None)]
    [text] = page_texts(branch_roster_pdf(cast.branch, members, on=ON, full=False))
    assert "共2人（正式党员1人，预备党员1人）" in text
    assert cast.member.id_masked in text and cast.member.reveal_id_number() not in text
    assert "139****1111" in text


def test_full_roster_shows_id_numbers(cast):
    [text] = page_texts(branch_roster_pdf(cast.branch, [cast.member], on=ON, full=True))
    assert cast.member.reveal_id_number() in text and "13900001111" in text


def test_configured_but_missing_font_is_an_error_not_a_fallback(cast, settings):
    settings.DANGJIAN_PDF_FONT = "/nonexistent/NotoSansCJK-Regular.ttc#2"
    with pytest.raises(PdfFontMissing) as error:
        member_sheet_pdf(cast.member, full=False)
    assert str(error.value) == FONT_MISSING_MESSAGE
    assert "apt-get install fonts-noto-cjk" in error.value.message
