"""为党员开通账号: logins for a branch's members in one step, with one-time passwords on slips.

Lives in `members` because it writes `Member.user` (only members writes Member rows); the
logins themselves are made by `accounts.services.create_member_logins`. The passwords exist
only in the returned list: the caller prints the slips from it at once and keeps nothing, so
they cannot be shown or printed a second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import forget_scope, scope_for
from dangjian.accounts.services import create_member_logins
from dangjian.audit.actions import register_action
from dangjian.audit.services import record_audit
from dangjian.core.actors import actor_user
from dangjian.core.exceptions import DomainError
from dangjian.members.choices import MemberStatus
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

CREATE_MEMBER_ACCOUNTS = register_action("members.create_member_accounts", "为党员开通账号")


@dataclass(frozen=True)
class IssuedAccount:
    """One slip: whose account, where, the login and its one-time password."""

    member_name: str
    org_name: str
    username: str
    password: str


def may_create_member_accounts(actor: Any, org: Organization) -> bool:
    return scope_for(actor).can(Ability.MANAGE_ACCOUNTS_OF_MEMBERS, org.path)


def members_without_login(org: Organization) -> QuerySet[Member]:
    """The organization's own members in the Party (正常) who have no login yet."""
    return Member.objects.filter(org=org, status=MemberStatus.ACTIVE, user__isnull=True).order_by(
        "name_pinyin", "pk"
    )


def create_member_accounts(
    *, actor: Any, org: Organization, member_ids: Iterable[int]
) -> list[IssuedAccount]:
    """为党员开通账号: a login with a one-time password for each chosen member of `org` who has
    none, linked to the member; one audit entry names the logins (never the passwords)."""
    if not may_create_member_accounts(actor, org):
        raise DomainError("您没有为该党组织的党员开通账号的权限。")
    ids = sorted(set(member_ids))
    if not ids:
        raise DomainError("请选择要开通账号的党员。", field="members")
    with transaction.atomic():
        members = list(Member.objects.select_for_update().filter(pk__in=ids, org=org))
        if len(members) != len(ids):
            raise DomainError(f"所选党员须是{org.name}的党员。", field="members")
        linked = [m.name for m in members if m.user_id is not None]
        if linked:
            raise DomainError(
                f"{'、'.join(linked)}已有登录账号，不能再次开通；一次性密码只在开通时打印一次，"
                "忘记密码请联系系统管理员重置。",
                field="members",
            )
        out = [m.name for m in members if m.status != MemberStatus.ACTIVE]
        if out:
            raise DomainError(
                f"{'、'.join(out)}的党籍状态不是正常，不能开通账号。", field="members"
            )
        members.sort(key=lambda m: (m.name_pinyin, m.pk))
        logins = create_member_logins(
            actor=actor, org_path=org.path, names=[m.name for m in members]
        )
        for member, (user, _) in zip(members, logins, strict=True):
            member.user = user
            member._history_user = actor_user(actor)  # type: ignore[attr-defined]
            member.save(update_fields=["user"])
        record_audit(
            CREATE_MEMBER_ACCOUNTS,
            actor=actor,
            target=org,
            detail={
                "accounts": [
                    f"{u.username}（{m.name}）" for m, (u, _) in zip(members, logins, strict=True)
                ],
            },
        )
    for user, _ in logins:
        forget_scope(user)
    return [
        IssuedAccount(m.name, org.name, u.username, password)
        for m, (u, password) in zip(members, logins, strict=True)
    ]
