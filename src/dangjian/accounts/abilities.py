"""能力: what a role lets its holder do, named once and checked everywhere.

A role is granted on a node of the organization tree (`RoleGrant`) and brings a fixed set of
abilities over that node's subtree. Code asks for an ability on an organization
(`scope_for(user).can(Ability.EDIT_MEMBERS, org.path)`), never for a role: adding a role, or
moving an ability between roles, is a change to `ROLE_ABILITIES` and nothing else.

Procedures that cross subtrees (a transfer from one county to another) are two-sided: each side
acts with its own ability in its own scope; no grant ever covers both.
"""

from __future__ import annotations

from django.db import models


class Ability(models.TextChoices):
    """能力 (each reaches the subtree of the node the role is granted on)."""

    VIEW_MEMBERS = "view_members", "查看党组织和党员"
    EDIT_MEMBERS = "edit_members", "维护党员信息"
    REVEAL_PERSONAL = "reveal_personal", "查看完整身份证号和电话"
    MANAGE_ORGS = "manage_orgs", "维护党组织"
    IMPORT_ROSTERS = "import_rosters", "导入名册"
    RUN_VOTES = "run_votes", "组织表决和选举"
    MANAGE_ACCOUNTS_OF_MEMBERS = "member_accounts", "为党员开通账号"
    APPROVE_RECRUITMENT = "approve_recruitment", "审批发展党员"
    APPROVE_TRANSFERS = "approve_transfers", "审批组织关系转接"
    RECORD_DISCIPLINE = "record_discipline", "记录党纪处分"
    MANAGE_DUES = "manage_dues", "管理党费"
    RUN_MEETINGS = "run_meetings", "组织会议和组织生活"
    APPROVE_DISPOSITIONS = "approve_dispositions", "审批组织处置"


class GlobalAbility(models.TextChoices):
    """Abilities of the three administrators (三员分立), not tied to a node."""

    MANAGE_ACCOUNTS = "manage_accounts", "管理账号"
    MANAGE_GRANTS = "manage_grants", "管理授权"
    READ_AUDIT = "read_audit", "查阅审计日志"
    USE_API = "use_api", "使用数据接口"


_BRANCH_WORK = frozenset(
    {
        Ability.VIEW_MEMBERS,
        Ability.EDIT_MEMBERS,
        Ability.IMPORT_ROSTERS,
        Ability.RUN_VOTES,
        Ability.MANAGE_ACCOUNTS_OF_MEMBERS,
        Ability.MANAGE_DUES,
        Ability.MANAGE_ORGS,
        Ability.RUN_MEETINGS,
    }
)

# role value → node abilities. REVEAL_PERSONAL is never in a role: it comes from the grant's own
# flag (`RoleGrant.can_view_sensitive`), given one grant at a time by the security administrator.
ROLE_ABILITIES: dict[str, frozenset[str]] = {
    # 组织管理员 (county/township organization office) and the branch's own 书记 and 组织委员:
    # the register and the tree below their node (a branch keeps its own details and 党小组).
    "orgadmin": _BRANCH_WORK,
    "secretary": _BRANCH_WORK,
    "organizer": _BRANCH_WORK,
    # 支部委员: reads the register; records meetings (minutes, attendance), since a committee
    # member is often the 记录人.
    "committee": frozenset({Ability.VIEW_MEMBERS, Ability.RUN_MEETINGS}),
    # 基层党委 with approval authority (有审批权限的基层党委): approves recruitment, transfers and
    # the 组织处置 of 不合格 members (劝其退党, 除名) in its subtree; it does not keep the
    # branches' registers.
    "partycomm": frozenset(
        {
            Ability.VIEW_MEMBERS,
            Ability.APPROVE_RECRUITMENT,
            Ability.APPROVE_TRANSFERS,
            Ability.APPROVE_DISPOSITIONS,
        }
    ),
    # 纪委: records discipline (党纪处分) in its subtree.
    "discipline": frozenset({Ability.VIEW_MEMBERS, Ability.RECORD_DISCIPLINE}),
}

ROLE_GLOBAL_ABILITIES: dict[str, frozenset[str]] = {
    "sysadmin": frozenset({GlobalAbility.MANAGE_ACCOUNTS, GlobalAbility.USE_API}),
    "secadmin": frozenset({GlobalAbility.MANAGE_GRANTS}),
    "auditadmin": frozenset({GlobalAbility.READ_AUDIT}),
    "orgadmin": frozenset({GlobalAbility.USE_API}),
}


def abilities_of(role: str, *, sensitive: bool = False) -> frozenset[str]:
    """The node abilities one grant brings."""
    found = ROLE_ABILITIES.get(role, frozenset())
    return found | {Ability.REVEAL_PERSONAL} if sensitive else found
