"""A document is what its content says (magic bytes), named to agree, within the size limit."""

import re

import pytest

from dangjian.core.documents import check_file
from dangjian.core.exceptions import DomainError
from dangjian.documents.tests.conftest import JPG, PDF, PNG


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("扫描.pdf", PDF, "application/pdf"),
        ("a.JPEG", JPG, "image/jpeg"),
        ("b.png", PNG, "image/png"),
    ],
)
def test_pdf_jpg_and_png_are_accepted_by_content(name, data, mime):
    assert check_file(name, data).mime_type == mime


def test_pdf_name_with_png_content_is_refused_naming_both():
    with pytest.raises(
        DomainError, match=re.escape("「入党志愿书.pdf」的内容是 PNG 图片，但扩展名不是 .png")
    ):
        check_file("入党志愿书.pdf", PNG)


def test_renamed_executable_is_refused():
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(60)
    with pytest.raises(DomainError, match=re.escape("「志愿书.pdf」不是 PDF、JPG 或 PNG 文件")):
        check_file("志愿书.pdf", exe)


def test_text_that_is_no_known_type_is_refused():
    with pytest.raises(DomainError, match="不是 PDF、JPG 或 PNG"):
        check_file("说明.pdf", "这不是扫描件".encode())


def test_empty_file_is_refused():
    with pytest.raises(DomainError, match=re.escape("「空.pdf」是空文件")):
        check_file("空.pdf", b"")


def test_folders_in_the_name_are_dropped():
    assert check_file("C:\\扫描\\申请书.pdf", PDF).name == "申请书.pdf"


def test_size_limit_is_inclusive_and_names_file_and_limit(settings):
    settings.DANGJIAN_DOCUMENT_MAX_BYTES = 2048
    at_limit = PDF + b" " * (2048 - len(PDF))
    assert check_file("满.pdf", at_limit).size == 2048
    with pytest.raises(DomainError) as refused:
        check_file("超.pdf", at_limit + b" ")
    assert "「超.pdf」" in refused.value.message and "超过了 2 KB 的上限" in refused.value.message
