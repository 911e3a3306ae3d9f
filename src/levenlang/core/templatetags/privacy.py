"""`{% load privacy %}` … `{{ count|group_count }}`: a count of people that core.privacy may have hidden (None)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def group_count(count):
    """The count, or 'not shown' where core.privacy hid it (a small group, or one that would give one away)."""
    return _("not shown") if count is None else count
