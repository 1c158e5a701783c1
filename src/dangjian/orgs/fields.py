"""选择党组织: the one organization picker every form uses.

A flat list of names is ambiguous (every township has a 第一党支部), so each option is the
organization's full path, from the top of what the user may see down to it, and the options
come in tree order, indented by depth:

    中共清河县委员会
    中共清河县委员会 / 中共城关镇委员会
    中共清河县委员会 / 中共城关镇委员会 / 东街社区党支部

Server-rendered (a plain <select>, so it works the same on phones); the choices are whatever
scoped queryset the form gives it, and the path names no organization above the user's scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from dangjian.orgs.models import Organization

SEPARATOR = " / "
INDENT = "\u3000"  # an ideographic space: one level of the tree


def top_paths(paths: Iterable[str]) -> list[str]:
    """The paths no other of `paths` lies above (the tops of the choices' subtrees)."""
    tops: list[str] = []
    for path in sorted(paths):
        if not tops or not path.startswith(tops[-1]):
            tops.append(path)
    return tops


def path_names(paths: Iterable[str], within: Iterable[str]) -> dict[str, str]:
    """Path → name of every organization on the way from a `within` top down to each of
    `paths` (one query)."""
    tops = tuple(within)
    step = Organization.steplen
    wanted = {
        path[:end]
        for path in paths
        for end in range(step, len(path) + 1, step)
        if path[:end].startswith(tops)
    }
    return dict(Organization.objects.filter(path__in=wanted).values_list("path", "name"))


def path_label(org: Organization, names: dict[str, str], tops: Iterable[str]) -> str:
    """ "某县委 / 某镇党委 / 某村党支部", indented by the depth below the top it lies under."""
    top = max((t for t in tops if org.path.startswith(t)), key=len, default=org.path)
    step = Organization.steplen
    steps = range(len(top), len(org.path) + 1, step)
    chain = [names.get(org.path[:end], "") for end in steps]
    chain[-1] = org.name
    return INDENT * (len(chain) - 1) + SEPARATOR.join(n for n in chain if n)


class OrgChoiceField(forms.ModelChoiceField):
    """An organization chosen from the tree (see the module docstring).

    `within`: the tops the paths start from (e.g. `scope.paths(Ability.VIEW_MEMBERS)`); by
    default the tops of the choices themselves, which is the user's scope whenever the choices
    include the organizations the user's roles were granted on.
    """

    def __init__(self, *args: Any, within: Iterable[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Organization.objects.none())
        self._names: dict[str, str] | None = None
        self._tops: list[str] = []
        self.within = tuple(within)
        super().__init__(*args, **kwargs)

    def _set_queryset(self, queryset: Any) -> None:
        ordered = None if queryset is None else queryset.order_by("path")
        super()._set_queryset(ordered)  # type: ignore[misc]  # not in django-stubs
        self._names = None

    # Every queryset given (in a form's __init__ too) comes out in tree order.
    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def limit_to(self, queryset: Any, *, within: Iterable[str] = ()) -> None:
        """Choices and, where the choices do not include the user's tops, where paths start."""
        self.queryset = queryset
        self.within = tuple(within)

    def label_from_instance(self, obj: Any) -> str:
        if self._names is None:
            paths = list(self.queryset.values_list("path", flat=True))
            self._tops = list(self.within) or top_paths(paths)
            self._names = path_names(paths, self._tops)
        return path_label(obj, self._names, self._tops)
