"""The form renderer (settings.FORM_RENDERER): Django's own, with its most used widget templates written in Python.

Django renders each widget through a template, and a select through one more template per option, each with an
included template for the attributes. On the search page that was a third of the page's time (a region select
of 35 options, distances, dates). The HTML here is the same, character for character, as Django's templates
`django/forms/widgets/{input,text,…}.html` and `select.html` with `select_option.html` (tests/test_form_renderer.py
compares them); any other template, and any widget with a template of its own, is rendered
by Django as before.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

__all__ = ["QuickRenderer"]

_WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time")
)
SELECT_TEMPLATE = f"{_WIDGETS}select.html"
OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"` each, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_s(value)}"')
    return "".join(parts)


def _s(value) -> str:
    """`{{ value|stringformat:'s' }}`: str() first, then escaped."""
    return conditional_escape(str(value))


def _input(widget: dict) -> str:
    value = f' value="{_s(widget["value"])}"' if widget["value"] is not None else ""
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None  # an option with a template of its own: Django renders the whole select
            label = conditional_escape(option["label"])
            parts.append(f'\n  <option value="{_s(option["value"])}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class QuickRenderer(DjangoTemplates):
    """Django's default form renderer; inputs and selects without templates of their own are written directly."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and widget.get("template_name") == template_name:
            html = None
            if template_name in INPUT_TEMPLATES:
                html = _input(widget)
            elif template_name == SELECT_TEMPLATE:
                html = _select(widget)
            if html is not None:
                return mark_safe(html)  # noqa: S308 - every value above is escaped
        return super().render(template_name, context, request)
