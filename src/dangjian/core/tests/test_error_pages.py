"""Chinese 403/404/500 pages in the demo, and Chinese API error bodies."""

import os
import subprocess
import sys

from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults


def _debug_setting(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "DANGJIAN_DEBUG"}
    code = "from dangjian import settings; print(settings.DEBUG)"
    run = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )
    return run.stdout.strip()


def test_demo_runs_without_debug_pages_unless_asked_for():
    assert _debug_setting() == "False"
    assert _debug_setting(DANGJIAN_DEBUG="1") == "True"


def test_static_files_are_served_without_debug(db):
    response = Client().get("/static/core/app.css")
    assert response.status_code == 200


def test_missing_page_is_chinese_in_the_layout(cast):
    response = cast.client(cast.secretary).get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and "党建工作平台" in body and "Page not found" not in body


def test_out_of_scope_member_gets_the_chinese_404(cast):
    response = cast.client(cast.outsider).get(reverse("members:detail", args=[cast.member.pk]))
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_out_of_scope_page_gets_the_chinese_403(cast):
    response = cast.client(cast.secretary).get(reverse("accounts:users"))
    assert response.status_code == 403 and "没有权限" in response.content.decode()


def test_server_error_page_is_chinese_in_the_layout():
    response = defaults.server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出现错误" in body and "党建工作平台" in body


def test_unknown_api_address_answers_in_json(cast):
    response = cast.client(cast.county_admin).get("/api/no-such-thing/")
    assert response.status_code == 404 and response.json()["detail"] == "接口地址不存在。"


def test_unreadable_api_request_is_refused_in_chinese(cast):
    response = cast.client(cast.county_admin).post(
        "/api/members/", data="{bad", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "请求内容无法解析，请检查提交的数据格式。"


def test_api_404_body_is_readable_chinese(cast):
    response = cast.client(cast.county_admin).get("/api/no-such-thing/")
    assert "接口地址不存在".encode() in response.content


def test_api_server_error_answers_in_json():
    from dangjian.core.views import server_error

    response = server_error(RequestFactory().get("/api/members/"))
    assert response.status_code == 500
    assert "服务器内部错误".encode() in response.content
    page = server_error(RequestFactory().get("/members/"))
    assert "系统出现错误" in page.content.decode()
