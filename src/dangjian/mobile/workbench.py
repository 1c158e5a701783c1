"""工作台 items of the home side (流出地党组织, EDIT_MEMBERS on the stay's home path): contact
overdue, lost contact (停止党籍 may be considered, never automatic), transfer proposed (away at
one place for the rule's months), 活动证 expiring. Each is one indexed count over open stays.
Registered in MobileConfig.ready()."""

from __future__ import annotations

import datetime as dt
import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from functools import reduce
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.urls import reverse

from dangjian.accounts.abilities import Ability
from dangjian.core.paths import any_subtree_q
from dangjian.core.workbench import ScopeLike, WorkItem, is_overdue, shared
from dangjian.mobile.models import MobileStay
from dangjian.mobile.selectors import Limits

LIMIT = 200


class _StayItems(ABC):
    """One 工作台 item per open stay matching `condition`, for the home side."""

    key = ""
    label = ""
    kind = ""

    @abstractmethod
    def condition(self, limits: Limits) -> Q: ...

    @abstractmethod
    def due(self, stay: MobileStay, limits: Limits) -> dt.date | None: ...

    @abstractmethod
    def title(self, stay: MobileStay) -> str: ...

    def _due(self, scope: ScopeLike, today: dt.date) -> QuerySet[MobileStay]:
        return _open_stays(scope).filter(self.condition(Limits.on(today)))

    def count_for(self, user: Any, scope: ScopeLike, today: dt.date) -> int:
        return self._due(scope, today).count() if _any_due(scope, today) else 0

    def items_for(self, user: Any, scope: ScopeLike, today: dt.date) -> Iterator[WorkItem]:
        if not _any_due(scope, today):
            return
        limits = Limits.on(today)
        stays = self._due(scope, today).select_related("member", "home_org")
        for stay in stays.order_by("contact_since", "id")[:LIMIT]:
            due = self.due(stay, limits)
            yield WorkItem(
                key=f"{self.key}:{stay.pk}:{due or ''}",
                kind=self.kind,
                title=self.title(stay),
                subject=f"{stay.member.name}（{stay.home_org.name}）",
                url=reverse("mobile:detail", args=[stay.pk]),
                due=due,
                overdue=is_overdue(due, today),
            )


def _open_stays(scope: ScopeLike) -> QuerySet[MobileStay]:
    return MobileStay.objects.filter(
        any_subtree_q("home_path", scope.paths(Ability.EDIT_MEMBERS)),
        status=MobileStay.Status.OPEN,
    )


def _any_due(scope: ScopeLike, today: dt.date) -> bool:
    """Whether any of the four items has a stay in the scope: one query for the four, which a
    branch with no stay due (most of them) then skips."""

    def ask() -> bool:
        limits = Limits.on(today)
        due = reduce(operator.or_, (p.condition(limits) for p in PROVIDERS))
        return _open_stays(scope).filter(due).exists()

    return shared("mobile.any_due", ask)


def _months_after(months: int) -> Callable[[dt.date], dt.date]:
    return lambda start: start + relativedelta(months=months)


class ContactOverdue(_StayItems):
    key = "mobile.contact_overdue"
    label = "流动党员超期未联系"
    kind = "联系流动党员"

    def condition(self, limits: Limits) -> Q:
        return limits.overdue_q() & ~limits.lost_q()  # the lost ones have their own item

    def due(self, stay: MobileStay, limits: Limits) -> dt.date | None:
        return stay.contact_since + dt.timedelta(days=limits.overdue_days)

    def title(self, stay: MobileStay) -> str:
        return f"与{stay.member.name}联系并登记联系记录"


class LostContact(_StayItems):
    key = "mobile.lost_contact"
    label = "流动党员失去联系"
    kind = "失去联系"

    def condition(self, limits: Limits) -> Q:
        return limits.lost_q()

    def due(self, stay: MobileStay, limits: Limits) -> dt.date | None:
        return _months_after(limits.lost_months)(stay.contact_since)

    def title(self, stay: MobileStay) -> str:
        return f"{stay.member.name}失去联系，查找无果的可研究停止党籍（不自动处理）"


class TransferProposed(_StayItems):
    key = "mobile.transfer_proposed"
    label = "流动党员应转移组织关系"
    kind = "转移组织关系"

    def condition(self, limits: Limits) -> Q:
        return limits.transfer_q()

    def due(self, stay: MobileStay, limits: Limits) -> dt.date | None:
        return _months_after(limits.transfer_months)(stay.start_on)

    def title(self, stay: MobileStay) -> str:
        return f"{stay.member.name}在一地外出已满规定期限，应转移组织关系"


class PermitExpiring(_StayItems):
    key = "mobile.permit_expiring"
    label = "流动党员活动证到期"
    kind = "活动证到期"

    def condition(self, limits: Limits) -> Q:
        return limits.permit_q()

    def due(self, stay: MobileStay, limits: Limits) -> dt.date | None:
        return stay.permit_valid_until

    def title(self, stay: MobileStay) -> str:
        return f"{stay.member.name}的流动党员活动证到期，查验或换发"


PROVIDERS = (ContactOverdue(), LostContact(), TransferProposed(), PermitExpiring())
