"""计票单 / 选举结果报告 PDF: labels, names and figures really in the file; managers only."""

import io

from django.urls import reverse
from pypdf import PdfReader

from dangjian.votes import services
from dangjian.votes.tests.test_pages import closed_with_votes, election


def text_of(data: bytes) -> str:
    """All pages' text without whitespace (pypdf spaces fpdf2's CJK glyphs out)."""
    pages = PdfReader(io.BytesIO(data)).pages
    return "".join("".join(p.extract_text().replace("\x00", "").split()) for p in pages)


def test_record_pdf_has_rules_numbers_candidates_outcomes_and_signatures(cast, voters):
    poll = closed_with_votes(cast, voters)
    response = cast.client(cast.secretary).get(reverse("votes:record-pdf", args=[poll.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "选举结果报告" in text and "东街社区党支部" in text and "支部委员会选举" in text
    assert "到会人数须超过应到会人数的4/5" in text
    assert "应到会人数5" in text and "有效票5" in text and "无效票0" in text
    assert "王一5" in text and "当选" in text and "当选：王一" in text
    assert poll.ballots_digest in text
    assert "监票人" in text and "计票人" in text and "主持人" in text


def test_record_pdf_is_only_for_closed_polls(cast, voters):
    poll = services.open_poll(actor=cast.secretary, poll=election(cast, voters))
    response = cast.client(cast.secretary).get(reverse("votes:record-pdf", args=[poll.pk]))
    assert response.status_code == 404


def test_voter_and_outsider_cannot_print_the_record(cast, voters):
    poll = closed_with_votes(cast, voters)
    url = reverse("votes:record-pdf", args=[poll.pk])
    assert cast.client(cast.member_user).get(url).status_code == 403
    assert cast.client(cast.outsider).get(url).status_code == 404
