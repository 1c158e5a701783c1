"""The printing toolkit: fonts, the footer, tables that wrap and repeat, cut lines, QR codes."""

import io

import pytest
import segno
from fontTools.ttLib import TTCollection
from pypdf import PdfReader

from dangjian.core import printing
from dangjian.core.printing import FormPdf, PdfFontMissing, find_cjk_font, qr_svg


@pytest.fixture(autouse=True)
def fresh_fonts():
    printing.clear_font_cache()
    yield
    printing.clear_font_cache()


def texts(data: bytes) -> list[str]:
    pages = PdfReader(io.BytesIO(data)).pages
    return ["".join(p.extract_text().replace("\x00", "").split()) for p in pages]


def test_default_font_is_the_simplified_chinese_face_of_a_collection():
    path, index = find_cjk_font()
    assert path.is_file()
    if path.suffix.lower() == ".ttc" and "Noto" in path.name:
        with TTCollection(str(path), lazy=True) as collection:
            assert "CJK SC" in collection.fonts[index]["name"].getDebugName(1)


def test_configured_font_with_collection_index_is_used(settings):
    path, index = find_cjk_font()
    printing.clear_font_cache()
    settings.DANGJIAN_PDF_FONT = f"{path}#{index}"
    assert find_cjk_font() == (path, index)


def test_no_font_anywhere_raises_with_chinese_message(monkeypatch):
    monkeypatch.setattr(printing, "KNOWN_FONTS", (("/nonexistent/a.ttc", ""),))
    with pytest.raises(PdfFontMissing, match="服务器未安装中文字体"):
        find_cjk_font()


def test_landscape_table_repeats_headings_and_footer_numbers_pages():
    pdf = FormPdf(orientation="L", title="测试表", printed_by="东街书记")
    assert pdf.w > pdf.h  # A4 landscape
    pdf.title_line("测试表")
    rows = ([str(i), "很长的说明文字" * 8] for i in range(60))
    pdf.grid_table(["序号", "说明"], rows, col_widths=(20, 60), align=("C", "L"))
    pages = texts(pdf.to_bytes())
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "序号说明" in text and f"第{number}页共{len(pages)}页" in text
        assert "打印人：东街书记" in text


def test_empty_table_prints_the_empty_note_and_portrait_is_default():
    pdf = FormPdf(title="空表")
    assert pdf.h > pdf.w
    pdf.grid_table(["日期", "事项"], [], col_widths=(30, 60), empty="（无记录）")
    pdf.paragraph("第一段" * 40)
    pdf.cut_line()
    [text] = texts(pdf.to_bytes())
    assert "日期事项（无记录）" in text and "沿此线剪开" in text


def test_qr_code_is_drawn_as_dark_squares_of_the_segno_matrix():
    pdf = FormPdf(title="二维码")
    before = len(pdf.pages[1].contents)
    pdf.draw_qr("https://dj.example.cn/accounts/login/", x=20, y=40, size=30)
    drawn = pdf.pages[1].contents[before:].decode("latin-1")
    dark = sum(
        sum(row) for row in segno.make("https://dj.example.cn/accounts/login/", error="m").matrix
    )
    rectangles = drawn.count(" re f")
    assert 0 < rectangles <= dark  # runs of dark modules, one rectangle each
    assert pdf.to_bytes().startswith(b"%PDF")


def test_qr_svg_is_inline_svg_for_pages():
    svg = qr_svg("https://dj.example.cn/", title="登录地址")
    assert svg.startswith("<svg") and "登录地址" in svg and "<?xml" not in svg


def test_documents_share_the_parsed_font_but_not_its_glyphs():
    """The CJK font is parsed once per process; each document embeds only its own glyphs and
    reads back its own words, whatever was printed before or after it."""
    first, second = FormPdf(title="甲"), FormPdf(title="乙")
    for pdf, words in ((first, "组织生活会"), (second, "四议两公开")):
        pdf.title_line(words)
        pdf.signatures(["记录人", "主持人"])
    assert first.fonts["cjk"] is not second.fonts["cjk"]
    assert first.fonts["cjk"].cw is not second.fonts["cjk"].cw
    one, two = "".join(texts(first.to_bytes())), "".join(texts(second.to_bytes()))
    assert "组织生活会" in one and "四议两公开" not in one and "记录人" in one
    assert "四议两公开" in two and "组织生活会" not in two
    assert len(printing._PARSED) <= 2  # regular and bold, whatever the number of documents
