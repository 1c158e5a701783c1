"""Words, not codes: the audit log, histories and entry columns speak Chinese and name people."""

import datetime as dt
import re

from django.urls import reverse

from dangjian.accounts.services import grant_role
from dangjian.audit.display import describe
from dangjian.audit.models import AuditEvent
from dangjian.audit.services import record_audit
from dangjian.members.services import record_event
from dangjian.orgs.services import update_organization

RAW = re.compile(r"\{'|'\w+':|\bNone\b|\bTrue\b|\bFalse\b")


def _move(cast):
    return record_event(
        actor=cast.county_admin,
        member=cast.neighbour,
        kind="move",
        effective_date=dt.date(2024, 3, 1),
        org=cast.branch,
    )


def test_audit_details_read_as_labelled_chinese_fields(cast):
    _move(cast)
    grant_role(actor=cast.secadmin, user=cast.member_user, role="committee", org=cast.branch)
    record_audit(
        "vote",
        actor=cast.secretary,
        detail={"step": "close", "passed": None, "valid": 9, "elected": [], "digest": "ab"},
    )
    body = cast.client(cast.auditadmin).get(reverse("audit:list")).content.decode()
    assert not RAW.search(body), RAW.search(body)
    for words in ("类别：系统内组织关系调整", "角色：支部委员", "步骤：结束投票并计票"):
        assert words in body, words
    assert "是否通过：—" in body and "可查看完整身份证号和电话：否" in body


def test_audit_log_names_people_and_keeps_logins_in_titles(cast):
    _move(cast)
    body = cast.client(cast.auditadmin).get(reverse("audit:list")).content.decode()
    assert 'title="登录账号：county">县委组织部</span>' in body
    assert ">county<" not in body


def test_function_accounts_are_named_by_their_role(cast):
    from dangjian.accounts.services import reset_password

    reset_password(actor=cast.sysadmin, user=cast.secretary)
    body = cast.client(cast.auditadmin).get(reverse("audit:list")).content.decode()
    assert 'title="登录账号：sysadmin">系统管理员</span>' in body


def test_audit_filter_finds_people_by_name(cast):
    _move(cast)
    page = cast.client(cast.auditadmin).get(reverse("audit:list"), {"actor": "县委组织部"})
    assert "系统内组织关系调整" in page.content.decode()


def test_org_history_shows_secretary_by_name(cast):
    update_organization(
        actor=cast.county_admin,
        org=cast.branch,
        expected_version=cast.branch.version,
        values={"secretary": cast.member},
    )
    body = cast.client(cast.county_admin).get(reverse("orgs:detail", args=[cast.branch.pk]))
    text = body.content.decode()
    assert "书记：（空） → 李明" in text
    assert f"→ {cast.member.pk}<" not in text


def test_member_page_names_who_recorded_each_event(cast):
    _move(cast)
    body = cast.client(cast.county_admin).get(reverse("members:detail", args=[cast.neighbour.pk]))
    text = body.content.decode()
    assert "县委组织部" in text and ">county<" not in text and "county " not in text


def test_update_diffs_use_verbose_names_and_member_names(cast):
    entry = record_audit(
        "update", actor=cast.county_admin, target=cast.branch, detail={"secretary": [None, "李明"]}
    )
    assert describe(entry) == [("书记", "— → 李明")]


def test_account_entries_name_the_person_not_the_login(cast):
    from dangjian.accounts.services import reset_password

    reset_password(actor=cast.sysadmin, user=cast.secretary)
    body = cast.client(cast.auditadmin).get(reverse("audit:list")).content.decode()
    assert ">重置密码</span>" in body and "<td>东街书记</td>" in body
    assert AuditEvent.objects.filter(action="accounts.reset_password").exists()


def test_export_filters_read_with_the_list_words(cast):
    url = reverse("rosters:export") + f"?org={cast.branch.pk}&gender=F&status=active"
    cast.client(cast.county_admin).post(url)
    body = cast.client(cast.auditadmin).get(reverse("audit:list")).content.decode()
    assert "组织：东街社区党支部" in body and "性别：女" in body and "党籍状态：正常" in body
    assert f"org={cast.branch.pk}" not in body


def test_member_history_names_the_linked_account_not_its_id(cast):
    from django.contrib.auth import get_user_model

    from dangjian.members.services import link_account

    account = get_user_model().objects.create_user("wangf", password="Wang@2026pw")
    link_account(actor=cast.county_admin, member=cast.neighbour, username="wangf")
    url = reverse("members:detail", args=[cast.neighbour.pk])
    text = cast.client(cast.county_admin).get(url).content.decode()
    assert "登录账号：（空） → 王芳" in text
    assert f"→ {account.pk}<" not in text and "wangf<" not in text
