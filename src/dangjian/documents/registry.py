"""Which records take documents, and on what terms (材料名称, who may upload, how long kept).

An app opts a model in once, from its AppConfig.ready():

    register_target(Member, path=lambda m: m.org_path, kinds=["入党志愿书", ...])

`path` gives the organization path whose scope decides access (VIEW_MEMBERS to see and download,
`upload_ability` to upload). `kinds` are the 材料名称 offered; `retention_years` may give a kind
its own retention in years (None: kept without a time limit); the others are kept
DANGJIAN_DOCUMENT_RETENTION_YEARS.
Only registered models take documents: an id from a request never reaches another table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.http import Http404

from dangjian.accounts.abilities import Ability


@dataclass(frozen=True)
class Attachable:
    """The terms on which one model's records take documents."""

    model: type[models.Model]
    path: Callable[[Any], str]
    kinds: tuple[str, ...]
    retention: Mapping[str, int | None]
    upload_ability: str
    section_title: str

    def retention_years(self, kind: str) -> int | None:
        if kind in self.retention:
            return self.retention[kind]
        return int(settings.DANGJIAN_DOCUMENT_RETENTION_YEARS)


_TARGETS: dict[str, Attachable] = {}


def register_target(
    model: type[models.Model],
    *,
    path: Callable[[Any], str],
    kinds: Sequence[str],
    retention_years: Mapping[str, int | None] | None = None,
    upload_ability: str = Ability.EDIT_MEMBERS,
    section_title: str = "档案材料",
) -> None:
    """Let `model`'s records take documents (call once, from the app's ready())."""
    _TARGETS[model._meta.label_lower] = Attachable(
        model, path, tuple(kinds), dict(retention_years or {}), upload_ability, section_title
    )


def terms_for(target: models.Model | type[models.Model]) -> Attachable:
    """The registered terms of a record's model (Http404 for a model that takes none)."""
    found = _TARGETS.get(target._meta.label_lower)
    if found is None:
        raise Http404("该类记录不能附加档案材料")
    return found


def terms_by_label(label: str) -> Attachable:
    found = _TARGETS.get(label.lower())
    if found is None:
        raise Http404("该类记录不能附加档案材料")
    return found


def registered_labels() -> list[str]:
    return sorted(_TARGETS)
