"""Roster import over the API: the same limits and messages as the page."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.rosters.models import ImportBatch
from dangjian.rosters.testing import roster_row, xlsx

URL = "/api/roster-imports/"


def _post(cast: Any, data: bytes) -> Any:
    upload = SimpleUploadedFile("花名册.xlsx", data)
    return cast.client(cast.county_admin).post(URL, {"org": cast.township.pk, "file": upload})


def test_oversized_api_upload_names_the_size_limit(cast: Any, settings: Any) -> None:
    settings.DANGJIAN_IMPORT_MAX_BYTES = 2000
    response = _post(cast, b"x" * 5000)
    assert response.status_code == 400
    assert "文件超过 2.0 KB 的上限" in response.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_api_upload_within_the_limit_starts_a_batch(cast: Any) -> None:
    response = _post(cast, xlsx([roster_row("陈建国")]))
    assert response.status_code == 201
    assert ImportBatch.objects.get().file_name == "花名册.xlsx"


def test_outsider_cannot_upload_into_another_county(cast: Any) -> None:
    upload = SimpleUploadedFile("花名册.xlsx", xlsx([roster_row("陈建国")]))
    client = cast.client(cast.outsider)
    response = client.post(URL, {"org": cast.township.pk, "file": upload})
    assert response.status_code == 404 and not ImportBatch.objects.exists()
