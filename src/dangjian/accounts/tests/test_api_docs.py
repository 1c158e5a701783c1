"""接口文档: shown to the roles that use the API (API_ROLES), refused to everyone else."""

import pytest
from django.urls import reverse

USES_API = {"county_admin", "township_admin", "outsider", "sysadmin"}
OTHERS = {"secretary", "member_user", "secadmin", "auditadmin"}


@pytest.mark.parametrize("username", sorted(USES_API | OTHERS))
def test_api_docs_and_schema_only_for_api_roles(cast, username):
    client = cast.client(getattr(cast, username))
    expected = 200 if username in USES_API else 403
    for route in ("api-docs", "api-schema"):
        assert client.get(reverse(route)).status_code == expected, (route, username)
    nav = client.get(reverse("accounts:password-change")).content.decode()
    assert ("接口文档" in nav) == (username in USES_API)


def test_refused_docs_page_is_chinese(cast):
    response = cast.client(cast.member_user).get(reverse("api-docs"))
    body = response.content.decode()
    assert response.status_code == 403 and "没有权限" in body
    schema = cast.client(cast.secretary).get(reverse("api-schema"), {"format": "json"})
    assert "接口文档" in schema.json()["detail"]
