"""Small HTTP helpers shared by the apps' views."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(body: bytes, name: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    """A file download whose Chinese file name survives every browser (RFC 5987)."""
    response = HttpResponse(body, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    return response
