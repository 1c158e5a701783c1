"""为党员开通账号: one step for a branch's members, one-time passwords on slips printed once."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from pypdf import PdfReader

from dangjian.accounts.models import AccountProfile, RoleGrant
from dangjian.accounts.services import member_usernames, username_base
from dangjian.audit.models import AuditEvent
from dangjian.core.exceptions import DomainError
from dangjian.members.accounts import create_member_accounts, members_without_login
from dangjian.testing import make_member

User = get_user_model()


@pytest.fixture
def newcomers(cast):
    return [
        make_member(cast.county_admin, cast.branch, name="张伟"),
        make_member(cast.county_admin, cast.branch, name="阿卜杜·热合曼"),
    ]


def text_of(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return "".join("".join(p.extract_text().replace("\x00", "").split()) for p in pages)


def test_usernames_are_pinyin_and_never_collide(cast):
    assert username_base("阿卜杜·热合曼") == "abodureheman" and username_base("Ω") == "dangyuan"
    assert member_usernames(["李明", "李明", "张伟"]) == ["liming2", "liming3", "zhangwei"]


def test_secretary_creates_linked_accounts_that_must_change_password(cast, newcomers):
    issued = create_member_accounts(
        actor=cast.secretary, org=cast.branch, member_ids=[m.pk for m in newcomers]
    )
    assert {i.username for i in issued} == {"zhangwei", "abodureheman"}
    for item, member in ((i, User.objects.get(username=i.username).member) for i in issued):
        assert member.name == item.member_name and item.org_name == "东街社区党支部"
        assert member.user.check_password(item.password)
        assert AccountProfile.objects.get(user=member.user).must_change_password
        assert not RoleGrant.objects.filter(user=member.user).exists()  # member logins only
    entry = AuditEvent.objects.get(action="members.create_member_accounts")
    assert entry.actor == cast.secretary and "zhangwei（张伟）" in entry.detail["accounts"]
    assert not any(i.password in str(entry.detail) for i in issued)
    assert not members_without_login(cast.branch).exists()


def test_second_time_is_refused_so_passwords_are_never_issued_again(cast, newcomers):
    ids = [m.pk for m in newcomers]
    create_member_accounts(actor=cast.secretary, org=cast.branch, member_ids=ids)
    with pytest.raises(DomainError, match="已有登录账号，不能再次开通"):
        create_member_accounts(actor=cast.secretary, org=cast.branch, member_ids=ids)


def test_outsider_and_administrators_cannot_create_member_accounts(cast, newcomers):
    for actor in (cast.outsider, cast.sysadmin, cast.member_user):
        with pytest.raises(DomainError, match="没有为该党组织的党员开通账号的权限"):
            create_member_accounts(actor=actor, org=cast.branch, member_ids=[newcomers[0].pk])
    assert User.objects.filter(username="zhangwei").count() == 0


def test_members_of_another_organization_cannot_be_chosen(cast, newcomers):
    with pytest.raises(DomainError, match="所选党员须是东街社区党支部的党员"):
        create_member_accounts(
            actor=cast.county_admin, org=cast.branch, member_ids=[cast.neighbour.pk]
        )


def test_page_answers_with_the_slips_once(cast, newcomers):
    client = cast.client(cast.secretary)
    url = reverse("members:accounts", args=[cast.branch.pk])
    page = client.get(url).content.decode()
    assert "一次性密码只显示一次" in page and "无法再次下载" in page and "张伟" in page
    ids = [m.pk for m in newcomers]
    response = client.post(url, {"members": ids})
    assert (
        response["Content-Type"] == "application/pdf"
        and "attachment" in response["Content-Disposition"]
    )
    text = text_of(response.content)
    for expected in (
        "张伟",
        "阿卜杜·热合曼",
        "zhangwei",
        "东街社区党支部",
        "http://testserver/accounts/login/",
    ):
        assert expected in text
    assert text.count("沿此线剪开") == 2
    again = client.post(url, {"members": ids})
    assert again["Content-Type"].startswith("text/html") and "张伟" not in again.content.decode()


def test_one_time_password_logs_in_once_and_forces_a_change(cast, newcomers):
    [issued] = create_member_accounts(
        actor=cast.secretary, org=cast.branch, member_ids=[newcomers[0].pk]
    )
    client = cast.client(cast.secretary)
    client.logout()
    login = {"username": issued.username, "password": issued.password}
    assert client.post(reverse("accounts:login"), login).status_code == 302
    home = client.get(reverse("members:list"))
    assert home.status_code == 302 and home["Location"].startswith(
        reverse("accounts:password-change")
    )
    changed = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": issued.password,
            "new_password1": "Neu@2026pass",
            "new_password2": "Neu@2026pass",
        },
    )
    assert changed.status_code == 302
    assert client.get(reverse("members:detail", args=[newcomers[0].pk])).status_code == 200
    client.logout()
    client.post(reverse("accounts:login"), login)
    assert "_auth_user_id" not in client.session  # the one-time password no longer works


def test_outsider_is_refused_the_page(cast):
    url = reverse("members:accounts", args=[cast.branch.pk])
    assert cast.client(cast.outsider).get(url).status_code == 404
    assert cast.client(cast.sysadmin).get(url).status_code == 404


def test_audit_entry_reads_as_words(cast, newcomers):
    from dangjian.audit.display import describe

    create_member_accounts(actor=cast.secretary, org=cast.branch, member_ids=[newcomers[0].pk])
    entry = AuditEvent.objects.get(action="members.create_member_accounts")
    shown = dict(describe(entry))
    assert entry.action_label == "为党员开通账号"
    assert shown["开通的账号"] == "zhangwei（张伟）"
