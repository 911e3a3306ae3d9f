"""`{% load catalog_search %}` … `{% search_hits result %}`: the rows of the search page's result list, written in
Python. Through the template language each row cost about 0.3 ms (a link reversed, three labels, two translated
sentences with a date and amounts, a dozen variable lookups and filters): more than the rest of a result's work.
The HTML is the same as the template loop it replaces, character for character (tests/catalog/test_search_page.py
renders both).
"""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

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
