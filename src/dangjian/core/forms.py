"""Form helpers shared by all apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest

from dangjian.core.exceptions import DomainError

T = TypeVar("T")


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal next to the field it names (or on top of the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]


def submit(
    request: HttpRequest, form: forms.BaseForm, run: Callable[[dict[str, Any]], T]
) -> T | None:
    """A posted, valid form runs its service: the result, or None with the refusal on the form.

    Every write view has this shape; the service alone decides, the view only reports.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return run(form.cleaned_data)
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
