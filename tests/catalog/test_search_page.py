"""The search page's result rows, facets and filter fields are written in Python (`{% search_hits %}`,
`{% search_facets %}`, `{% search_filters %}`: catalog/templatetags/catalog_search.py) for speed; they must be the
HTML the template loops wrote, character for character, in both languages: with and without the price after funding,
for results with and without an offering, a date, a place, a level and reasons; with facets chosen or not, and with
errors in the filters."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from levenlang.catalog import services
from levenlang.catalog.models import ModeOfDelivery
from levenlang.catalog.services import SearchParams
from levenlang.ledger.models import Category
from tests.factories import ModuleFactory, OfferingFactory, region

TODAY = datetime.date(2027, 1, 10)

# The loop the tag replaced, as it stood in catalog/search.html.
TEMPLATE_LOOP = """{% load i18n money %}
  {% for hit in result.hits %}
    <li class="result">
      <h3 class="utrecht-heading-3"><a class="utrecht-link" href="{% url 'catalog:module' hit.module.uuid %}">{{ hit.module.title }}</a></h3>
      <p class="utrecht-paragraph result__meta">{{ hit.module.provider.name }} · {{ hit.module.get_category_display }} · {{ hit.module.get_mode_of_delivery_display }}{% if hit.module.level %} · {{ hit.module.get_level_display }}{% endif %}</p>
      <p class="utrecht-paragraph">
        {% if hit.offering %}{% if hit.offering.start_date %}{% blocktranslate with date=hit.offering.start_date|date:"j F Y" %}Next start: {{ date }}{% endblocktranslate %}{% else %}{% translate "Self-paced: start any time" %}{% endif %}{% if hit.offering.location_name %} · {{ hit.offering.location_name }}{% endif %} · {% endif %}
        {% if result.funded and hit.own_share_cents is not None %}
          {% blocktranslate with own=hit.own_share_cents|euro price=hit.offering.price_cents|default:hit.module.price_cents|euro %}You pay {{ own }} yourself (price {{ price }}){% endblocktranslate %}
        {% else %}
          {% blocktranslate with price=hit.module.price_cents|euro %}Price {{ price }}{% endblocktranslate %}
        {% endif %}
      </p>
      {% if hit.reasons %}<p class="utrecht-paragraph result__why"><span class="result__why-label">{% translate "Why this result:" %}</span> {{ hit.reasons|join:"; " }}</p>{% endif %}
    </li>
  {% empty %}
    <li class="result"><p class="utrecht-paragraph">{% translate "No courses match. Try fewer words or fewer choices." %}</p></li>
  {% endfor %}
"""  # noqa: E501
# The facets and the other filters, as they stood in catalog/search.html.
TEMPLATE_FILTERS = """{% load i18n %}
  {% for facet in facets %}
  <fieldset class="utrecht-form-fieldset facet">
    <legend class="utrecht-form-fieldset__legend">{{ facet.legend }}</legend>
    {% for option in facet.options %}{% if option.count or option.checked or facet.active %}
    <div class="utrecht-form-field utrecht-form-field--checkbox">
      <input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" name="{{ option.name }}" value="{{ option.value }}" id="f-{{ option.name }}-{{ option.value }}"{% if option.checked %} checked{% endif %}>
      <label class="utrecht-form-label utrecht-form-label--checkbox" for="f-{{ option.name }}-{{ option.value }}">{{ option.label }}{% if option.checked or not facet.active %} <span class="count">({{ option.count }})</span>{% endif %}</label>
    </div>
    {% endif %}{% endfor %}
  </fieldset>
  {% endfor %}
  {% for field in form.visible_fields %}{% if field.name != "q" and field.name != "category" and field.name != "mode" and field.name != "level" %}
  <div class="utrecht-form-field utrecht-form-field--distanced{% if field.errors %} utrecht-form-field--invalid{% endif %}">
    <div class="utrecht-form-field__label"><label class="utrecht-form-label" for="{{ field.id_for_label }}">{{ field.label }}{% if field.name == "self_paced" and self_paced_count %} <span class="count">({% blocktranslate count n=self_paced_count %}{{ n }} self-paced{% plural %}{{ n }} self-paced{% endblocktranslate %})</span>{% endif %}</label></div>
    {% if field.help_text %}<div class="utrecht-form-field__description utrecht-form-field-description" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</div>{% endif %}
    {% for error in field.errors %}<div class="utrecht-form-field__error-message utrecht-form-field-error-message">{{ error }}</div>{% endfor %}
    <div class="utrecht-form-field__input">{{ field }}</div>
  </div>
  {% endif %}{% endfor %}
"""  # noqa: E501


@pytest.fixture
def catalogue(db):
    welding = ModuleFactory(
        title_nl="Lassen & snijden <basis>",
        title_en="Welding & cutting",
        provider__name="O'Brien & Zn. lasschool",
        category=Category.JOB_ORIENTED,
        mode_of_delivery=ModeOfDelivery.PRESENTIAL,
        level="eqf_2",
        price_cents=80_000,
    )
    OfferingFactory(
        module=welding,
        start_date=datetime.date(2027, 2, 1),
        region=region("twente"),
        postcode="7511 AB",
        location_name="Hal 'De Vonk' & co",
        price_cents=0,
    )
    anytime = ModuleFactory(
        title_nl="Lassen online", category=Category.GENERAL_SKILLS, mode_of_delivery=ModeOfDelivery.ONLINE, level=""
    )
    OfferingFactory(module=anytime, start_date=None, region=None, postcode="", location_name="", price_cents=12_345)
    ModuleFactory(title_nl="Lassen zonder datum", price_cents=0)  # no offering at all


def _both(result) -> tuple[str, str]:
    context = Context({"result": result})
    tag = Template("{% load catalog_search %}\n  {% search_hits result %}\n").render(context)
    return tag, Template(TEMPLATE_LOOP).render(context)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "params",
    [
        SearchParams(q="lassen"),
        SearchParams(q="lassen", categories=[Category.JOB_ORIENTED], region="twente", start_from=TODAY),
        SearchParams(q="lassen", modes=[ModeOfDelivery.ONLINE], self_paced=True),
        SearchParams(q="niets-dat-past"),
        SearchParams(),
    ],
)
@pytest.mark.parametrize("funded", [False, True])
def test_the_result_rows_are_the_html_the_template_wrote(catalogue, resident, language, params, funded):
    with translation.override(language):
        result = services.search(params, resident=resident if funded else None, today=TODAY)
        tag, loop = _both(result)
    assert tag == loop
    if params == SearchParams(q="lassen"):
        assert result.total == 3 and "O&#x27;Brien &amp; Zn." in tag and "Hal &#x27;De Vonk&#x27;" in tag


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "query",
    [
        "q=lassen",
        "",
        f"q=lassen&category={Category.JOB_ORIENTED.value}&mode=online&self_paced=on",
        "region=twente&postcode=7511AB&distance_km=25",
        "start_from=not-a-date&postcode=x",
    ],
)
def test_the_facets_and_filters_are_the_html_the_template_wrote(catalogue, client, language, query):
    with translation.override(language):
        response = client.get(f"/aanbod/?{query}", headers={"accept-language": language})
        context = {name: response.context[name] for name in ("form", "facets", "self_paced_count")}
        loop = Template(TEMPLATE_FILTERS).render(Context(context))
    assert '<div class="search-filters__panel" id="search-filters"' in response.text
    assert "utrecht-form-field__input" in loop
    assert ('type="checkbox"' in loop) == (response.status_code == 200)  # no facets when the filters are wrong
    assert loop.strip() in response.text
