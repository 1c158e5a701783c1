from typing import Any

from django import template
from django.utils.html import format_html

from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.names import person_name

register = template.Library()


@register.filter
def phone_masked(value: str) -> str:
    return mask_phone(value or "")


@register.filter
def id_masked(value: str) -> str:
    return mask_id_number(value or "")


@register.filter
def person(user: Any) -> str:
    """A user as the person's name; the login only in the title attribute. "" for no user."""
    if user is None or not getattr(user, "pk", None):
        return ""
    name = person_name(user) or "（未填姓名）"
    return format_html('<span title="登录账号：{}">{}</span>', user.get_username(), name)


@register.filter
def due_in_words(item: Any, today: Any) -> str:
    """A 工作台 item's due date in words: "还有 12 天" / "今天到期" / "已逾期 3 天"."""
    return str(item.due_in_words(today))
