"""`{% load money %}` … `{{ cents|euro }}` shows integer euro cents as `€ 1.234,56` (core.money.format_cents)."""

from django import template

from levenlang.core.money import format_cents

register = template.Library()


@register.filter
def euro(cents) -> str:
    """Integer cents as `€ 1.234,56`; an empty value (None, '') stays empty. Anything
    but an integer raises: money is never a float."""
    if cents is None or cents == "":
        return ""
    return format_cents(cents)
