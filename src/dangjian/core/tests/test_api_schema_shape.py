"""What the OpenAPI schema says about a few operations matches what they answer."""

from __future__ import annotations

from typing import Any

import pytest

from dangjian.core.tests.test_api_schema import open_motion, openapi
from dangjian.votes.models import Poll

BARE_LISTS = [
    ("/api/members/{id}/events/", "get"),
    ("/api/orgs/{id}/children/", "get"),
    ("/api/orgs/{id}/roster/", "get"),
]


@pytest.fixture(scope="module")
def paths() -> dict[str, Any]:
    return openapi()["paths"]


@pytest.mark.parametrize("path,method", BARE_LISTS)
def test_unpaged_lists_are_documented_as_arrays(paths: dict[str, Any], path: str, method: str):
    operation = paths[path][method]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    assert "page" not in {p["name"] for p in operation.get("parameters", [])}


def test_roster_upload_is_documented_as_multipart(paths: dict[str, Any]) -> None:
    content = paths["/api/roster-imports/"]["post"]["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]


def test_every_operation_documents_its_errors(paths: dict[str, Any]) -> None:
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404"} <= codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert "409" in codes, (method, path)


def test_roster_date_and_subtree_are_documented(paths: dict[str, Any]) -> None:
    params = {p["name"]: p["schema"] for p in paths["/api/orgs/{id}/roster/"]["get"]["parameters"]}
    assert params["on"]["format"] == "date" and params["subtree"]["type"] == "boolean"


def test_an_unknown_api_path_is_a_json_404(cast: Any) -> None:
    response = cast.client(cast.county_admin).get("/api/no-such-thing/1/")
    assert response.status_code == 404 and response.json()["detail"] == "接口地址不存在。"


def test_a_number_too_large_to_store_is_a_400_not_a_500(cast: Any) -> None:
    open_motion(cast)
    client = cast.client(cast.secretary)
    client.raise_request_exception = False
    poll = Poll.objects.get()
    url = f"/api/polls/{poll.pk}/attendance/"
    response = client.post(url, {"present": [2**70]}, content_type="application/json")
    # SQLite cannot bind the number (now a 400); PostgreSQL compares it and finds nobody.
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert "超出允许范围" in response.json()["detail"]


def test_a_patch_answer_names_the_unit(cast: Any) -> None:
    client = cast.client(cast.county_admin)
    url = f"/api/orgs/{cast.branch.pk}/"
    response = client.patch(url, {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["unit_name"] == ""
