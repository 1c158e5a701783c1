import pytest

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40)


@pytest.fixture(autouse=True)
def document_dir(settings, tmp_path):
    """Each test stores its encrypted files in a directory of its own."""
    settings.DANGJIAN_DOCUMENT_DIR = tmp_path / "documents"
    return settings.DANGJIAN_DOCUMENT_DIR
