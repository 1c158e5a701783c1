from django import template

from dangjian.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def phone_masked(value: str) -> str:
    return mask_phone(value or "")


@register.filter
def id_masked(value: str) -> str:
    return mask_id_number(value or "")
