"""选择党组织: every organization picker shows full paths in tree order, within the user's scope."""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

from django import forms
from django.urls import reverse

from dangjian.orgs.fields import INDENT, OrgChoiceField
from dangjian.orgs.models import Organization

BRANCH_PATH = "中共清河县委员会 / 中共城关镇委员会 / 东街社区党支部"
FORM_MODULES = [
    "dangjian.accounts.forms",
    "dangjian.members.forms",
    "dangjian.orgs.forms",
    "dangjian.rosters.forms",
    "dangjian.stats.forms",
    "dangjian.votes.forms",
]


def _options(client: Any, url: str, field: str = "id_org") -> list[str]:
    body = client.get(url).content.decode()
    select = re.search(rf'<select[^>]*id="{field}".*?</select>', body, re.S)
    assert select is not None, body[:500]
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))


def test_options_show_the_full_path_indented_in_tree_order(cast: Any) -> None:
    options = _options(cast.client(cast.county_admin), reverse("members:create"))
    assert options[:4] == [
        "---------",
        "中共清河县委员会",
        INDENT + "中共清河县委员会 / 中共城关镇委员会",
        INDENT * 2 + BRANCH_PATH,
    ]
    assert INDENT * 2 + "中共清河县委员会 / 中共河口镇委员会 / 河口村党支部" in options


def test_paths_start_at_the_top_of_the_users_scope(cast: Any) -> None:
    options = _options(cast.client(cast.township_admin), reverse("stats:report"))
    assert options == [
        "---------",
        "中共城关镇委员会",
        INDENT + "中共城关镇委员会 / 东街社区党支部",
    ]
    options = _options(cast.client(cast.secretary), reverse("members:list"))
    assert options[1:] == ["东街社区党支部"]


def test_move_names_the_new_parent_by_its_path(cast: Any) -> None:
    options = _options(
        cast.client(cast.county_admin), reverse("orgs:move", args=[cast.branch.pk]), "id_new_parent"
    )
    assert INDENT + "中共清河县委员会 / 中共河口镇委员会" in options


def test_merge_targets_are_named_by_their_path_although_no_top_is_a_choice(cast: Any) -> None:
    url = reverse("orgs:merge", args=[cast.branch.pk])
    options = _options(cast.client(cast.county_admin), url, "id_target")
    assert options[1:] == [INDENT * 2 + "中共清河县委员会 / 中共河口镇委员会 / 河口村党支部"]


def test_every_organization_choice_in_every_form_is_the_shared_picker() -> None:
    checked = 0
    for name in FORM_MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != name:
                continue
            for field_name, field in cls.base_fields.items():
                queryset = getattr(field, "queryset", None)
                if queryset is not None and queryset.model is Organization:
                    assert isinstance(field, OrgChoiceField), (cls, field_name)
                    checked += 1
    assert checked >= 9
