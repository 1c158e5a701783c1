"""发展对象公示 PDF: the facts a 公示 shows (never the ID number or the phone), the 公示期 on the
working-day calendar, printed by the branch's keepers and viewers only, each print audited."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pypdf
import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.core.crypto import decrypt
from dangjian.core.exceptions import DomainError
from dangjian.recruitment import services
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.testing import file_at

S = Applicant.Status
SEP_29 = dt.date(2026, 9, 29)  # published the Tuesday before National Day


def pdf_text(body: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(body)).pages
    return "".join("".join(p.extract_text().replace("\x00", "").split()) for p in pages)


@pytest.fixture
def published(cast: Any) -> Applicant:
    return file_at(S.PUBLICITY, cast.branch, on=SEP_29, secretary=cast.secretary)


def test_notice_shows_the_facts_and_the_working_day_period(cast: Any, published: Any) -> None:
    response = cast.client(cast.secretary).get(reverse("recruitment:notice", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "关于王小明同志拟发展为中共预备党员的公示" in text
    assert "1998年04月" in text and "大学本科" in text and "县人民医院护士" in text
    assert "2026.09.29至2026.10.10（5个工作日）" in text  # across the National Day holiday
    intro = "、".join(published.introducers.order_by("pk").values_list("name", flat=True))
    assert intro and intro in text
    assert "东街社区党支部" in text and "中共城关镇委员会" in text
    number = decrypt(published.id_cipher)
    assert number not in text and published.id_masked not in text and "联系电话" not in text
    event = AuditEvent.objects.filter(action="recruitment.print_notice").get()
    assert event.actor == cast.secretary


def test_notice_before_the_pre_review_is_refused(cast: Any) -> None:
    a = file_at(S.REVIEWED, cast.branch, on=SEP_29, secretary=cast.secretary)
    with pytest.raises(DomainError, match="预审通过后"):
        services.print_notice(actor=cast.secretary, applicant=a)
    response = cast.client(cast.secretary).get(reverse("recruitment:notice", args=[a.pk]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="recruitment.print_notice").exists()


def test_notice_is_for_the_branch_not_for_others(cast: Any, published: Any) -> None:
    url = reverse("recruitment:notice", args=[published.pk])
    assert cast.client(cast.outsider).get(url).status_code == 404
    assert cast.client(cast.county_admin).get(url).status_code == 200


def test_missing_font_gives_a_clear_page(cast: Any, published: Any, settings: Any) -> None:
    from dangjian.core.printing import clear_font_cache

    settings.DANGJIAN_PDF_FONT = "/nonexistent/font.ttc"
    clear_font_cache()
    try:
        response = cast.client(cast.secretary).get(
            reverse("recruitment:notice", args=[published.pk])
        )
    finally:
        clear_font_cache()
    assert response.status_code == 503 and "fonts-noto-cjk" in response.content.decode()
