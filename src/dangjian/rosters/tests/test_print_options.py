"""Printing: full-value prints for those who may unmask (logged), 含下级组织 on a 党委's 花名册."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.rosters.tests.test_pdf import page_texts


def _page(cast: Any, user: Any, name: str, obj: Any) -> str:
    return cast.client(user).get(reverse(name, args=[obj.pk])).content.decode()


def test_full_print_buttons_only_for_those_who_may_unmask(cast: Any) -> None:
    assert 'id="print-sheet-full"' in _page(cast, cast.county_admin, "members:detail", cast.member)
    assert 'id="print-roster-full"' in _page(cast, cast.county_admin, "orgs:detail", cast.branch)
    assert 'id="print-sheet-full"' not in _page(
        cast, cast.township_admin, "members:detail", cast.member
    )
    assert 'id="print-roster-full"' not in _page(cast, cast.secretary, "orgs:detail", cast.branch)


def test_full_roster_print_shows_the_phone_and_is_logged_as_unmasked(cast: Any) -> None:
    url = reverse("rosters:org-roster", args=[cast.branch.pk])
    response = cast.client(cast.county_admin).get(url, {"full": "1"})
    assert "13900001111" in page_texts(response.content)[0]
    entry = AuditEvent.objects.get(action="rosters.branch_roster")
    assert entry.detail["full"] is True and entry.actor == cast.county_admin
    assert cast.client(cast.township_admin).get(url, {"full": "1"}).status_code == 403


def test_subtree_option_is_offered_on_a_committee_not_on_a_branch(cast: Any) -> None:
    assert 'id="print-subtree"' in _page(cast, cast.county_admin, "orgs:detail", cast.township)
    assert 'id="print-subtree"' not in _page(cast, cast.county_admin, "orgs:detail", cast.branch)


def test_committee_roster_with_subtree_lists_every_branch_grouped(cast: Any) -> None:
    url = reverse("rosters:org-roster", args=[cast.county.pk])
    client = cast.client(cast.county_admin)
    alone = "".join(page_texts(client.get(url).content))
    assert "共0人" in alone
    text = "".join(page_texts(client.get(url, {"subtree": "1"}).content))
    assert "含下级组织" in text and "共2人" in text
    first = text.index("中共城关镇委员会/东街社区党支部（1人）")
    second = text.index("中共河口镇委员会/河口村党支部（1人）")
    assert first < text.index("李明") < second < text.index("王芳")
    assert AuditEvent.objects.filter(detail__subtree=True).count() == 1


def test_subtree_roster_stays_in_the_users_scope(cast: Any) -> None:
    url = reverse("rosters:org-roster", args=[cast.county.pk])
    response = cast.client(cast.township_admin).get(url, {"subtree": "1"})
    assert response.status_code in (403, 404)
