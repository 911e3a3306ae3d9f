"""`{% load catalog_search %}` … `{% search_hits result %}`, `{% search_facets facets %}` and
`{% search_filters form self_paced_count %}`: the result rows, the facet checkboxes and the other filter fields of
the search page, written in Python. Through the template language each result row cost about 0.3 ms (a link
reversed, three labels, two translated sentences with a date and amounts, a dozen variable lookups and filters),
and the facets and filter fields as much again: more than the search itself. The HTML is the same as the template
loops they replace, character for character (tests/catalog/test_search_page.py renders both).
"""

from django import template
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from levenlang.core.money import format_cents

register = template.Library()

_SOME_UUID = "00000000-0000-0000-0000-000000000000"


def _offering(hit) -> str:
    """When and where the result's best offering starts, followed by " · " (empty without an offering)."""
    offering = hit.offering
    if offering is None:
        return ""
    if offering.start_date:
        when = _("Next start: %(date)s") % {"date": conditional_escape(date_format(offering.start_date, "j F Y"))}
    else:
        when = _("Self-paced: start any time")
    where = f" · {conditional_escape(offering.location_name)}" if offering.location_name else ""
    return f"{when}{where} · "


def _price(hit, funded: bool) -> str:
    module = hit.module
    if funded and hit.own_share_cents is not None:
        price = (hit.offering.price_cents if hit.offering is not None else None) or module.price_cents
        text = _("You pay %(own)s yourself (price %(price)s)") % {
            "own": conditional_escape(format_cents(hit.own_share_cents)),
            "price": conditional_escape(format_cents(price)),
        }
    else:
        text = _("Price %(price)s") % {"price": conditional_escape(format_cents(module.price_cents))}
    return f"\n          {text}\n        "


def _row(hit, funded: bool, module_url: str, why: str) -> str:
    module = hit.module
    level = f" · {conditional_escape(module.get_level_display())}" if module.level else ""
    href, title = module_url.replace(_SOME_UUID, str(module.uuid)), conditional_escape(module.title)
    reasons = ""
    if hit.reasons:
        joined = "; ".join(str(conditional_escape(reason)) for reason in hit.reasons)
        reasons = f'<p class="utrecht-paragraph result__why"><span class="result__why-label">{why}</span> {joined}</p>'
    return (
        '\n    <li class="result">\n'
        f'      <h3 class="utrecht-heading-3"><a class="utrecht-link" href="{href}">{title}</a></h3>\n'
        f'      <p class="utrecht-paragraph result__meta">{conditional_escape(module.provider.name)}'
        f" · {conditional_escape(module.get_category_display())}"
        f" · {conditional_escape(module.get_mode_of_delivery_display())}{level}</p>\n"
        '      <p class="utrecht-paragraph">\n'
        f"        {_offering(hit)}\n"
        f"        {_price(hit, funded)}\n"
        "      </p>\n"
        f"      {reasons}\n"
        "    </li>\n  "
    )


@register.simple_tag
def search_hits(result) -> SafeString:
    """Each hit of `result` (catalog.services.SearchResult) as an `<li class="result">`, or the one row that says
    nothing matched."""
    if not result.hits:
        nothing = _("No courses match. Try fewer words or fewer choices.")
        return SafeString(f'\n    <li class="result"><p class="utrecht-paragraph">{nothing}</p></li>\n  ')
    module_url = reverse("catalog:module", args=[_SOME_UUID])
    why = _("Why this result:")
    return SafeString("".join(_row(hit, result.funded, module_url, why) for hit in result.hits))


def _e(value) -> str:
    """A value as the template language prints it: localised, then escaped."""
    return str(conditional_escape(localize(value)))


def _option(option: dict, active: bool) -> str:
    name, value = _e(option["name"]), _e(option["value"])
    checked = " checked" if option["checked"] else ""
    count = f' <span class="count">({_e(option["count"])})</span>' if option["checked"] or not active else ""
    return (
        '\n    <div class="utrecht-form-field utrecht-form-field--checkbox">\n'
        '      <input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" '
        f'name="{name}" value="{value}" id="f-{name}-{value}"{checked}>\n'
        f'      <label class="utrecht-form-label utrecht-form-label--checkbox" for="f-{name}-{value}">'
        f"{_e(option['label'])}{count}</label>\n"
        "    </div>\n    "
    )


@register.simple_tag
def search_facets(facets: list[dict]) -> SafeString:
    """A fieldset of checkboxes per facet (catalog.views.search): the values with results, or chosen, or all of
    them once one is chosen (then without counts, except for the chosen)."""
    html = []
    for facet in facets:
        active = facet["active"]
        options = "".join(
            _option(option, active) for option in facet["options"] if option["count"] or option["checked"] or active
        )
        html.append(
            '\n  <fieldset class="utrecht-form-fieldset facet">\n'
            f'    <legend class="utrecht-form-fieldset__legend">{_e(facet["legend"])}</legend>\n    '
            f"{options}\n  </fieldset>\n  "
        )
    return SafeString("".join(html))


_NOT_FILTERS = {"q", "category", "mode", "level"}  # the search box, and the facets shown as checkboxes


def _filter_field(field, self_paced_count: int) -> str:
    invalid = " utrecht-form-field--invalid" if field.errors else ""
    count = ""
    if field.name == "self_paced" and self_paced_count:
        text = ngettext("%(n)s self-paced", "%(n)s self-paced", self_paced_count) % {"n": _e(self_paced_count)}
        count = f' <span class="count">({text})</span>'
    help_text = ""
    if field.help_text:
        help_text = (
            '<div class="utrecht-form-field__description utrecht-form-field-description" '
            f'id="{_e(field.auto_id)}_helptext">{_e(field.help_text)}</div>'
        )
    errors = "".join(
        f'<div class="utrecht-form-field__error-message utrecht-form-field-error-message">{_e(error)}</div>'
        for error in field.errors
    )
    return (
        f'\n  <div class="utrecht-form-field utrecht-form-field--distanced{invalid}">\n'
        '    <div class="utrecht-form-field__label"><label class="utrecht-form-label" '
        f'for="{_e(field.id_for_label)}">{_e(field.label)}{count}</label></div>\n'
        f"    {help_text}\n"
        f"    {errors}\n"
        f'    <div class="utrecht-form-field__input">{conditional_escape(field)}</div>\n'
        "  </div>\n  "
    )


@register.simple_tag
def search_filters(form, self_paced_count: int) -> SafeString:
    """The search form's other filters (region, postcode and distance, dates, self-paced, price), each as a form
    field with its label, help text, errors and widget."""
    return SafeString(
        "".join(
            _filter_field(field, self_paced_count) for field in form.visible_fields() if field.name not in _NOT_FILTERS
        )
    )
