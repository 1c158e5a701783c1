"""Stored values as a person reads them: choice labels, related objects by name, 是/否, —."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from dangjian.core.names import person_name

EMPTY = "—"


def plain_value(value: Any) -> str:
    """A value with no field to explain it: None as —, booleans as 是/否, lists joined."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(plain_value(v) for v in value) or EMPTY
    if isinstance(value, dict):
        return "；".join(f"{k}：{plain_value(v)}" for k, v in value.items()) or EMPTY
    return str(value)


def field_label(model: type[models.Model], name: str) -> str:
    """The field's verbose name (书记), or the name itself for what is not a field."""
    try:
        field = model._meta.get_field(name.removesuffix("_id"))
        return str(getattr(field, "verbose_name", name))
    except (FieldDoesNotExist, AttributeError):
        return name


def field_value(model: type[models.Model], name: str, value: Any) -> str:
    """A stored value of `model.name`: a related object by its name, a choice by its label."""
    try:
        field = model._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return plain_value(value)
    if value is None or value == "":
        return EMPTY
    related = field.related_model if field.is_relation else None
    # Ids as stored (int) or as sent in a query string ("5"); a str that is not digits is
    # already a name (diffs store related objects by name).
    is_id = isinstance(value, int) or (isinstance(value, str) and value.isdigit())
    if isinstance(related, type) and is_id:
        found = related._default_manager.filter(pk=value).first()
        return display_object(found) if found is not None else "（已删除）"
    choices = dict(getattr(field, "flatchoices", None) or [])
    if value in choices:
        return str(choices[value])
    return plain_value(value)


def display_object(obj: Any) -> str:
    """A related object by its name; a login account by its person's name."""
    from django.contrib.auth import get_user_model

    if isinstance(obj, get_user_model()):
        return person_name(obj) or "（未填姓名的账号）"
    return str(obj)
