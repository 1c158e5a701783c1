"""Demo 流动党员: a few members of the demo village branch away from home, through the real
services as the branch secretary would record them — one in touch, one not contacted for a
while, one lost contact, one with a 活动证 about to expire, one back home."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from dangjian.members.models import Member
from dangjian.mobile import services
from dangjian.mobile.services import StayData
from dangjian.orgs.models import Organization, OrgKind

PLACES = [
    ("440300", "广东省深圳市南山区西丽街道", "work", "深圳市南山区流动党员党支部"),
    ("320500", "江苏省苏州市吴中区郭巷街道", "work", ""),
    ("330100", "浙江省杭州市西湖区三墩镇", "study", ""),
    ("110000", "北京市朝阳区望京街道", "family", "北京市朝阳区望京街道社区党委"),
    ("440100", "广东省广州市天河区石牌街道", "work", ""),
]


def seed_demo(
    secretary: Any, admin: Any, branch: Organization, today: dt.date, rng: random.Random
) -> int:
    """Register the demo stays; returns how many."""
    members = list(
        Member.objects.in_party().filter(org=branch, user__isnull=True).order_by("id")[:3]
    )
    members += list(  # topped up from other branches (registered by the county admin)
        Member.objects.in_party()
        .filter(user__isnull=True, org__kind=OrgKind.BRANCH)
        .exclude(org=branch)
        .order_by("id")[: 5 - len(members)]
    )
    destination = (
        Organization.objects.active()
        .filter(kind=OrgKind.BRANCH)
        .exclude(pk=branch.pk)
        .order_by("-path")
        .first()
    )
    plans = [  # days ago the stay began, days ago of the last contact, months expected
        (40, 5, 4),
        (150, 120, 12),
        (260, None, 18),
        (300, 20, 5),
        (200, 30, 3),
    ]
    count = 0
    for i, (member, (began, contact, months)) in enumerate(zip(members, plans, strict=False)):
        code, address, reason, text = PLACES[i]
        start = today - dt.timedelta(days=began)
        use_org = i == 2 and destination is not None
        permit = i in (0, 3)
        actor = secretary if member.org_id == branch.pk else admin
        stay = services.register_stay(
            actor=actor,
            member=member,
            data=StayData(
                region_code=code,
                address=address,
                reason=reason,
                expected_months=months,
                start_on=start,
                phone=member.phone,
                destination_org=destination if use_org else None,
                destination_text="" if use_org else text,
                cannot_transfer=i == 3,
                permit_number=f"流动证〔{start.year}〕{rng.randint(100, 999)}号" if permit else "",
                permit_valid_until=(today + dt.timedelta(days=20 if i == 3 else 200))
                if permit
                else None,
            ),
        )
        if contact is not None:
            services.record_contact(
                actor=actor,
                stay=stay,
                on=today - dt.timedelta(days=contact),
                means=rng.choice(["phone", "message", "letter"]),
                note="本人报告工作、生活情况，按时交纳党费",
            )
        if use_org:
            services.record_participation(
                actor=admin, stay=stay, on=today - dt.timedelta(days=30), kind="theme_day"
            )
        if i == 4:
            stay.refresh_from_db()
            services.end_stay(
                actor=actor, stay=stay, on=today - dt.timedelta(days=10), version=stay.version
            )
        count += 1
    return count
