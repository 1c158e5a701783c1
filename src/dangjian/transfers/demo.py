"""Demo transfers (组织关系转接) in the demo county, through the real services: one waiting for
the 党委's approval, one letter issued and waiting for arrival elsewhere in the county, one
arrived, one returned, and one letter to another system whose 回执 is overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangjian.core.exceptions import DomainError
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_KINDS, Organization
from dangjian.transfers import services


def seed_demo(
    *, county_admin: Any, secretary: Any, approver: Any, places: dict[str, Organization],
    today: dt.date,
) -> int:  # fmt: skip
    """Returns how many transfers were made (a member whose history refuses a step is
    skipped: the demo never fails for it)."""
    township, county = places["township"], places["county"]
    elsewhere = (
        Organization.objects.active().under(county).filter(kind__in=BRANCH_KINDS)
        .exclude(path__startswith=township.path).order_by("path").first()
    )  # fmt: skip
    # the village's members first (its secretary sends them), then the township's
    people = sorted(
        Member.objects.in_party().under(township).filter(user__isnull=True).order_by("id")[:40],
        key=lambda m: (m.org_id != places["village"].pk, m.pk),
    )[:5]
    if elsewhere is None or len(people) < 5:
        return 0
    made = 0
    plans = [
        ("pending", people[0], {"to_org": elsewhere}, "工作调动", 3),
        ("issued", people[1], {"to_org": elsewhere}, "迁居到河口镇", 12),
        ("arrived", people[2], {"to_org": elsewhere}, "随子女迁居", 9),
        ("returned", people[3], {"to_org": elsewhere}, "工作调动", 20),
        (
            "external",
            people[4],
            {"to_org_text": "中共东莞市长安镇振安社区委员会"},
            "外出务工定居",
            45,
        ),
    ]
    for kind, member, to, reason, ago in plans:
        on = today - dt.timedelta(days=ago)
        try:
            sender = secretary if member.org_id == places["village"].pk else county_admin
            dues = f"{on.year}年{on.month}月"
            t = services.start_transfer(actor=sender, member=member, reason=reason,
                                        dues_paid_to=dues, on=on, **to)  # fmt: skip
            if kind != "pending":
                services.issue_letter(actor=approver, transfer=t, on=on + dt.timedelta(days=1))
            if kind == "arrived":
                services.confirm_arrival(actor=county_admin, transfer=t,
                                         on=on + dt.timedelta(days=4))  # fmt: skip
            if kind == "returned":
                why = "该同志居住地不在本支部服务范围，请转往居住地社区党组织"
                services.return_letter(actor=county_admin, transfer=t, reason=why)
        except DomainError:
            continue
        made += 1
    return made
