"""`manage.py seed_demo` (alias `dangjian demo`): load the demo county and its demo logins."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.accounts.services import grant_role
from dangjian.demo.generator import DEMO_PASSWORD, generate
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import record_event
from dangjian.orgs.models import BRANCH_KINDS, Organization, OrgKind

# (username, name, role, where, may unmask, what they see)
LOGINS = [
    ("county", "县委组织部", Role.ORG_ADMIN, "root", True, "全县（可查看完整身份证号）"),
    ("township", "城关镇组织委员", Role.ORG_ADMIN, "中共城关镇委员会", False, "城关镇党委及下级"),
    ("secretary", "东街社区书记", Role.BRANCH_SECRETARY, "东街社区党支部", False, "东街社区党支部"),
    ("member", "（本人）", None, "东街社区党支部", False, "本人党员档案"),
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, None, False, "账号管理（不接触党员数据）"),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN, None, False, "角色授权"),
    ("auditadmin", "审计管理员", Role.AUDIT_ADMIN, None, False, "审计日志"),
]
ROLE_LABEL = {"member": "党员"}


class Command(BaseCommand):
    help = "生成演示数据：一个县的党组织和党员，以及各角色的演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=400, help="党员人数（默认 400）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（相同种子结果相同）")
        parser.add_argument("--print-logins", action="store_true", help="只打印演示账号")
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库已有组织时不做任何事（make run 使用）"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["print_logins"]:
            self.print_logins()
            return
        if Organization.objects.exists():
            if opts["if_empty"]:
                self.stdout.write("数据库中已有组织数据，未重新生成演示数据。")
                return
            raise CommandError("数据库中已有组织数据：演示数据只能载入空数据库。")
        started = timezone.now()
        root = generate(opts["members"], seed=opts["seed"])
        self.create_logins(root, random.Random(opts["seed"]))
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示数据：{Organization.objects.count()} 个组织，"
                f"{Member.objects.count()} 名党员，用时 {seconds:.1f} 秒。"
            )
        )

    def create_logins(self, root: Organization, rng: random.Random) -> None:
        users = get_user_model().objects
        with transaction.atomic():
            for username, name, role, where, sensitive, _ in LOGINS:
                user = users.create_user(username, password=DEMO_PASSWORD, first_name=name)
                org = (
                    root
                    if where == "root"
                    else (Organization.objects.under(root).get(name=where) if where else None)
                )
                if role is None:
                    member = (
                        Member.objects.filter(org=org, user__isnull=True).order_by("id").first()
                    )
                    assert member is not None
                    member.user = user
                    member.save(update_fields=["user"])
                    user.first_name = member.name
                    user.save(update_fields=["first_name"])
                    continue
                grant_role(
                    actor=None,
                    user=user,
                    role=role,
                    org=org,
                    can_view_sensitive=sensitive,
                    bootstrap=True,
                )
            county = users.get(username="county")
            self.name_secretaries(root, rng)
            self.record_some_changes(root, county, rng)

    def name_secretaries(self, root: Organization, rng: random.Random) -> None:
        """Most branches have a secretary from among their full members."""
        branches = Organization.objects.under(root).filter(kind__in=BRANCH_KINDS)
        for branch in branches:
            candidates = list(Member.objects.filter(org=branch, category="full")[:10])
            if candidates and rng.random() < 0.9:
                branch.secretary = rng.choice(candidates)
                branch.save(update_fields=["secretary"])

    def record_some_changes(self, root: Organization, actor: Any, rng: random.Random) -> None:
        """A few later events, so histories and past rosters are worth looking at."""
        today = timezone.localdate()
        pool = list(
            Member.objects.under(root)
            .filter(category="full", user__isnull=True)
            .order_by("id")[:200]
        )
        rng.shuffle(pool)
        villages = list(
            Organization.objects.under(root).filter(kind=OrgKind.BRANCH, name__endswith="村党支部")
        )
        plan = [
            (MemberEvent.Kind.DEATH, None),
            (MemberEvent.Kind.TRANSFER_OUT, "北京市某街道党工委"),
            (MemberEvent.Kind.MOVE, None),
            (MemberEvent.Kind.MOVE, None),
        ]
        for member, (kind, counterpart) in zip(pool, plan, strict=False):
            start = max(member.join_date or today, member.full_date or today)
            when = start + dt.timedelta(days=rng.randint(1, max(1, (today - start).days - 1)))
            target = (
                rng.choice([v for v in villages if v.pk != member.org_id])
                if kind == MemberEvent.Kind.MOVE
                else None
            )
            record_event(
                actor=actor,
                member=member,
                kind=kind,
                effective_date=min(when, today),
                org=target,
                counterpart=counterpart or "",
                note="演示数据",
            )

    def print_logins(self) -> None:
        self.stdout.write(f"\n  演示账号（密码均为 {DEMO_PASSWORD}）：")
        self.stdout.write(f"  {_pad('用户名', 12)}{_pad('角色', 12)}可见范围")
        for username, _, role, _, _, scope in LOGINS:
            label = Role(role).label if role else "党员"
            self.stdout.write(f"  {_pad(username, 12)}{_pad(label, 12)}{scope}")
        self.stdout.write("")


def _pad(text: str, width: int) -> str:
    """Pad to a terminal width, counting a Chinese character as two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - used)
