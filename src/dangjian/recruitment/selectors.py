"""Reads of 发展党员: what a user sees (one way to scope, as everywhere) and the record by id."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dangjian.accounts.abilities import Ability
from dangjian.accounts.scope import get_for, scope_for
from dangjian.core.paths import any_subtree_q
from dangjian.core.procedures import Option, steps_available
from dangjian.recruitment.models import Applicant
from dangjian.recruitment.procedures import RECRUITMENT, done_already


def managed_files(user: Any) -> QuerySet[Applicant]:
    """The files of the branches and committees the user sees (查看党组织和党员 on the path)."""
    return Applicant.objects.filter(_managed_q(user))


def _managed_q(user: Any) -> Q:
    return any_subtree_q("org_path", scope_for(user).paths(Ability.VIEW_MEMBERS))


def applicants_visible_to(user: Any) -> QuerySet[Applicant]:
    """The files the user manages (`managed_files`), the user's own file, and the files the
    user is 培养联系人 or 入党介绍人 for."""
    scope = scope_for(user)
    q = _managed_q(user)
    if getattr(user, "is_authenticated", False):
        q |= Q(user_id=user.pk)
    if scope.own_member_id is not None:
        q |= Q(contacts__id=scope.own_member_id) | Q(introducers__id=scope.own_member_id)
    return Applicant.objects.filter(q).distinct().select_related("org")


def get_applicant_for_user(user: Any, pk: Any, ability: str | None = None) -> Applicant:
    return get_for(
        user,
        ability,
        applicants_visible_to(user),
        pk,
        path_of="org_path",
        missing="发展党员档案不存在或不在您的管理范围内",
    )


def manages(user: Any, applicant: Applicant) -> bool:
    """Whether the user sees the whole file (the branch's or a committee's), not only the
    progress the applicant, a 培养联系人 or an 入党介绍人 sees."""
    return scope_for(user).can(Ability.VIEW_MEMBERS, applicant.org_path)


def offered_steps(user: Any, applicant: Applicant) -> list[Option]:
    """The steps the engine offers the user on the file, without the once-only steps already
    taken (入党宣誓, 备案 …): the page and the API list the same."""
    return [o for o in steps_available(user, applicant, RECRUITMENT) if not done_already(o)]


# A 预备党员 whose file is in one of these states has the end of the probation decided in the
# file (支部党员大会 vote, 上级党委审批), not on the register's page.
PROBATION_STATES = (
    Applicant.Status.PROBATIONARY, Applicant.Status.CONVERSION_VOTING,
    Applicant.Status.TO_CONVERT, Applicant.Status.TO_EXTEND, Applicant.Status.TO_CANCEL,
)  # fmt: skip


def probation_kept_by_file(member: Any) -> str | None:
    """Why the register may not record 转正/延长/取消 for `member` directly, or None."""
    if Applicant.objects.filter(member_id=member.pk, status__in=PROBATION_STATES).exists():
        return (
            f"{member.name}的转正、延长预备期或取消预备党员资格须在其发展党员档案中办理"
            "（支部党员大会讨论表决、上级党委审批后自动登记），请到“发展党员”中办理。"
        )
    return None
