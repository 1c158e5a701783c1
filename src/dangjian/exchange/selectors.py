"""跨系统转接 reads: what a user sees of letters received and packets signed here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dangjian.accounts.abilities import Ability, GlobalAbility
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.paths import any_subtree_q
from dangjian.exchange.models import ExportedPacket, IncomingLetter, TrustedInstallation


def may_use_exchange(user: Any) -> bool:
    """The 跨系统转接 pages (letters, packets): those who keep a register, who receive and send
    members. The trust list is the security administrator's (`may_manage_trust`)."""
    return scope_for(user).can_anywhere(Ability.EDIT_MEMBERS)


def may_manage_trust(user: Any) -> bool:
    return scope_for(user).has_global(GlobalAbility.MANAGE_GRANTS)


def letters_visible_to(user: Any) -> QuerySet[IncomingLetter]:
    return IncomingLetter.objects.visible_to(scope_for(user)).select_related("org", "member")


def get_letter_for_user(user: Any, pk: Any) -> IncomingLetter:
    return get_for(
        user,
        None,
        letters_visible_to(user),
        pk,
        path_of="org__path",
        missing="介绍信不存在或不在您的管理范围内",
    )


def packets_visible_to(user: Any) -> QuerySet[ExportedPacket]:
    paths = scope_for(user).paths(Ability.VIEW_MEMBERS)
    return ExportedPacket.objects.filter(any_subtree_q("member__org_path", paths)).select_related(
        "member", "member__org"
    )


def get_packet_for_user(user: Any, pk: Any, ability: str | None = None) -> ExportedPacket:
    return get_for(
        user,
        ability,
        packets_visible_to(user),
        pk,
        path_of="member__org_path",
        missing="数据包不存在或不在您的管理范围内",
    )


def installations() -> QuerySet[TrustedInstallation]:
    return TrustedInstallation.objects.select_related("trusted_by", "revoked_by")
