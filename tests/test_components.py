"""The shared page components ({% load components %}, docs/components.md): each rendered with representative context,
checked for the markup that makes it accessible (names, scope, aria, link targets) and for its edge cases."""

import datetime
import re

import pytest
from django import forms
from django.core.paginator import Paginator
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.utils import translation

from levenlang.catalog.models import ImportRun, Module, Provider, ProviderRecognition
from levenlang.core.charts import nice_ticks
from levenlang.core.templatetags.components import STATUS_TONES, TONES
from levenlang.enrolment.models import Status as EnrolmentStatus
from levenlang.ledger.models import OwnPayment, Reservation
from levenlang.schemes.models import SimulationRun


def render(source: str, request=None, **context) -> str:
    with translation.override("en"):
        return Template("{% load i18n components %}" + source).render(Context({"request": request, **context}))


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


# --- data table -------------------------------------------------------------------------------------------------

TABLE = """{% data_table _("Course") _("Start") _("Price") numeric="3" caption="My enrolments" empty="No enrolments." %}
{% for row in rows %}<tr class="utrecht-table__row"><th scope="row" class="utrecht-table__header-cell">{{ row.0 }}</th>
<td class="utrecht-table__cell">{{ row.1 }}</td>{% money_cell row.2 %}</tr>{% endfor %}{% enddata_table %}"""


def test_an_empty_data_table_has_its_caption_headers_and_one_row_that_says_so():
    html = squash(render(TABLE, rows=[]))
    assert '<caption class="utrecht-table__caption" id="table-my-enrolments">My enrolments</caption>' in html
    assert 'role="region" aria-labelledby="table-my-enrolments" tabindex="0"' in html
    assert html.count('<th scope="col"') == 3
    assert '<td class="utrecht-table__cell" colspan="3">No enrolments.</td>' in html


def test_a_data_table_right_aligns_the_numeric_columns_and_keeps_the_rows():
    html = squash(render(TABLE, rows=[("Lassen", "1 March", 95_000), ("Excel", "2 March", 12_50)]))
    headers = re.findall(r'<th scope="col" class="([^"]*)">([^<]*)</th>', html)
    assert [(label, "numeric-column" in classes) for classes, label in headers] == [
        ("Course", False),
        ("Start", False),
        ("Price", True),
    ]
    assert html.count('<th scope="row"') == 2 and "No enrolments." not in html
    assert "€ 950,00" in html and "€ 12,50" in html


def test_a_data_table_named_by_a_heading_has_no_caption_and_points_to_the_heading():
    html = render('{% data_table "When" labelledby="events" %}<tr><td>x</td></tr>{% enddata_table %}')
    assert "<caption" not in html
    assert (
        'aria-labelledby="events" tabindex="0"' in html
        and '<table class="utrecht-table" aria-labelledby="events">' in html
    )


def test_a_data_table_puts_a_footer_after_the_body():
    html = squash(
        render(
            '{% data_table "Pot" "Amount" numeric="2" caption="Pots" %}<tr><td>a</td></tr>'
            '<tfoot class="utrecht-table__footer"><tr><td>Total</td></tr></tfoot>{% enddata_table %}'
        )
    )
    assert re.search(r"<tbody[^>]*> <tr><td>a</td></tr> </tbody> <tfoot", html)


def test_a_data_table_without_a_name_or_with_a_wrong_column_number_is_refused():
    with pytest.raises(TemplateSyntaxError, match="caption or labelledby"):
        render('{% data_table "A" %}{% enddata_table %}')
    with pytest.raises(TemplateSyntaxError, match="not there"):
        render('{% data_table "A" "B" numeric="3" caption="x" %}{% enddata_table %}')


# --- money cell ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "text", "negative"),
    [
        (0, "€ 0,00", False),
        (-1_234, "-€ 12,34", True),
        (-95_000, "-€ 950,00", True),
        (1_234_567_890_123, "€ 12.345.678.901,23", False),
    ],
)
def test_a_money_cell_is_right_aligned_and_shows_negative_and_large_amounts(cents, text, negative):
    html = render("{% money_cell cents %}", cents=cents)
    assert html.startswith('<td class="utrecht-table__cell utrecht-table__cell--numeric-column')
    assert f">{text}</td>" in html
    assert ("money-cell--negative" in html) is negative
    assert "style=" not in html


def test_a_money_cell_shows_a_dash_for_no_amount_bold_totals_and_the_raw_cents_on_request():
    assert ">—</td>" in render("{% money_cell None %}")
    assert "<strong>€ 1.000,00</strong>" in render("{% money_cell 100000 strong=True %}")
    assert 'data-own-share="150000"' in render('{% money_cell 150000 data="own-share" %}')


def test_a_money_cell_refuses_a_float():
    with pytest.raises(TypeError):
        render("{% money_cell 12.5 %}")


# --- pager -----------------------------------------------------------------------------------------------------


def pager_html(number: int, pages: int = 3) -> str:
    request = RequestFactory().get("/opleider/inschrijvingen/", {"status": "open", "page": number})
    page = Paginator(range(pages * 10), 10).get_page(number)
    return squash(render("{% pager page %}", request=request, page=page))


def test_the_pager_on_the_first_page_links_only_to_the_next_and_keeps_the_filter():
    html = pager_html(1)
    assert '<nav class="pager utrecht-pagination" aria-label="Pages">' in html
    assert 'rel="prev"' not in html
    assert 'rel="next" href="?status=open&amp;page=2"' in html
    assert '<span aria-current="page">Page 1 of 3</span>' in html


def test_the_pager_on_a_middle_page_links_both_ways():
    html = pager_html(2)
    assert 'rel="prev" href="?status=open&amp;page=1"' in html and 'rel="next" href="?status=open&amp;page=3"' in html
    assert "Page 2 of 3" in html


def test_the_pager_on_the_last_page_links_only_back():
    html = pager_html(3)
    assert 'rel="prev" href="?status=open&amp;page=2"' in html and 'rel="next"' not in html


def test_the_pager_stays_away_when_everything_fits_on_one_page_and_takes_plain_numbers():
    assert pager_html(1, pages=1).strip() == ""
    request = RequestFactory().get("/aanbod/", {"q": "lassen en solderen"})
    html = render("{% pager number=2 pages=2 %}", request=request)
    assert 'href="?q=lassen+en+solderen&amp;page=1"' in html and "Page 2 of 2" in html


# --- status badge ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "tone"), sorted(STATUS_TONES.items()))
def test_every_status_badge_shows_its_text_and_a_symbol_besides_its_colour(status, tone):
    html = render("{% status_badge status label %}", status=status, label=f"Label of {status}")
    assert f'class="utrecht-badge-status status-badge status-badge--{tone}" data-status="{status}"' in html
    assert f"</span> Label of {status}</span>" in html  # the text is there, not only a colour
    assert re.search(r'<span class="status-badge__symbol" aria-hidden="true">.</span>', html)


@pytest.mark.parametrize(
    "choices", [EnrolmentStatus, Provider.Status, ProviderRecognition.Status, Module.Status, ImportRun.Status,
                SimulationRun.Status, Reservation.Status, OwnPayment.Status],
)  # fmt: skip
def test_every_stored_status_of_the_platform_has_a_tone(choices):
    assert set(choices.values) <= set(STATUS_TONES)


def test_a_status_badge_takes_a_tone_override_and_refuses_an_unknown_tone():
    assert "status-badge--attention" in render('{% status_badge "flagged" "Check prices" tone="attention" %}')
    assert "status-badge--neutral" in render('{% status_badge "something_new" %}')
    assert set(TONES) == {"positive", "negative", "attention", "progress", "neutral"}
    with pytest.raises(TemplateSyntaxError, match="unknown tone"):
        render('{% status_badge "done" tone="green" %}')


# --- error summary ---------------------------------------------------------------------------------------------


class DepositForm(forms.Form):
    kind = forms.ChoiceField(label="Who deposits", choices=[("employer", "Employer"), ("resident", "Resident")],
                             widget=forms.RadioSelect)  # fmt: skip
    amount = forms.DecimalField(label="Amount")

    def clean(self):
        raise forms.ValidationError("The deposit is too large for this year.")


def test_the_error_summary_links_every_field_error_to_its_field_and_lists_form_errors():
    form = DepositForm({"amount": "abc"})
    with translation.override("en"):
        assert not form.is_valid()
    html = squash(render("{% error_summary form %}", form=form))
    assert 'role="alert" id="error-summary" aria-labelledby="error-summary-title"' in html
    assert '<h2 class="utrecht-heading-2" id="error-summary-title">Please correct the following</h2>' in html
    links = re.findall(r'<a class="utrecht-link" href="(#[^"]+)">([^<]+)</a>', html)
    assert links == [("#id_kind_0", "Who deposits: This field is required."), ("#id_amount", "Amount: Enter a number.")]
    assert '<li class="utrecht-unordered-list__item">The deposit is too large for this year.</li>' in html


def test_the_error_summary_says_nothing_about_a_valid_or_unbound_form():
    assert render("{% error_summary form %}", form=DepositForm()).strip() == ""
    assert "Fix these" in render('{% error_summary form title="Fix these" %}', form=DepositForm({"amount": "x"}))


# --- chart with table ------------------------------------------------------------------------------------------

BREAKDOWN = [
    {"label": "18-29", "people": 120, "baseline_cents": 1_000_000, "difference_cents": 250_000},
    {"label": "30-49", "people": None, "baseline_cents": 2_000_000, "difference_cents": -500_000},
    {"label": "50-66", "people": 80, "baseline_cents": 500_000, "difference_cents": 0},
]
CHART = (
    '{% chart_table rows _("Residents") _("Today") _("Difference") keys="people baseline_cents difference_cents" '
    'money="2 3" value="difference_cents" caption="By age group" label_heading="Group" none_text="fewer than 10" %}'
)
COUNTS = '{% chart_table rows "Residents" keys="count" value="count" caption="By region" label_heading="Region" %}'
BALANCE = (
    '{% chart_table rows "Balance" keys="balance_cents" value="balance_cents" money="1" kind="line" label_key="month" '
    'label_format="YEAR_MONTH_FORMAT" caption="Balance per month" label_heading="Month" %}'
)


def bars(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<rect class="([^"]+)" x="([-\d.]+)%" y="\d+" width="([\d.]+)%"', html)


def tick_labels(html: str) -> list[str]:
    group = re.search(r'<g class="chart__tick-labels">(.*?)</g>', html, re.S).group(1)
    return re.findall(r">([^<]+)</text>", group)


@pytest.mark.parametrize(
    ("low", "high", "money", "ticks"),
    [
        (647, 1042, False, [0, 500, 1000, 1500]),  # counts start at zero, steps of 1, 2 or 5 times a power of ten
        (0, 7, False, [0, 2, 4, 6, 8]),
        (0, 3, False, [0, 1, 2, 3]),  # never a tick between two whole numbers
        (0, 245_000, True, [0, 100_000, 200_000, 300_000]),  # money: fewer ticks, whole euros
        (-500_000, 250_000, True, [-600_000, -400_000, -200_000, 0, 200_000, 400_000]),
        (0, 0, False, [0, 1]),  # nothing to show still has an axis
        (0, 0, True, [0, 100]),
        (-30, -10, False, [-30, -20, -10, 0]),  # all negative: the axis ends at zero
    ],
)
def test_axis_ticks_are_round_numbers_that_cover_the_figures_and_zero(low, high, money, ticks):
    assert nice_ticks(low, high, money=money) == ticks


def test_a_bar_chart_is_an_svg_image_named_by_its_caption_and_described_by_its_highest_and_lowest_figure():
    html = squash(render(CHART, rows=BREAKDOWN))
    assert '<figcaption class="chart__caption" id="chart-by-age-group">By age group</figcaption>' in html
    assert 'role="img" aria-labelledby="chart-by-age-group-title chart-by-age-group-desc"' in html
    assert '<title id="chart-by-age-group-title">By age group</title>' in html
    assert (
        '<desc id="chart-by-age-group-desc">Bar chart of “Difference”. Highest: 18-29, € 2.500. Lowest: 30-49, '
        "-€ 5.000. The figures are in the table with the chart.</desc>"
    ) in html
    assert "style=" not in html


def test_a_chart_has_its_figures_in_a_table_behind_show_as_table_or_in_plain_sight():
    html = squash(render(CHART, rows=BREAKDOWN))
    assert '<details class="chart__details"><summary class="chart__summary">Show as table</summary>' in html
    assert 'role="region" aria-labelledby="chart-by-age-group" tabindex="0"' in html
    assert '<table class="utrecht-table chart__table" aria-labelledby="chart-by-age-group">' in html
    assert html.count('<th scope="col"') == 4 and html.count('<th scope="row"') == 3
    assert "€ 10.000,00" in html and "-€ 5.000,00" in html and ">fewer than 10</td>" in html
    visible = squash(render(CHART.replace("%}", 'table="visible" %}'), rows=BREAKDOWN))
    assert "<details" not in visible and '<table class="utrecht-table chart__table"' in visible


def test_a_bar_chart_with_negative_values_draws_them_left_of_the_zero_line_on_an_axis_in_euros():
    html = render(CHART, rows=BREAKDOWN)
    # -€ 6.000 … € 4.000 in steps of € 2.000: zero is at 60% of the width.
    assert tick_labels(html) == ["-€ 6.000", "-€ 4.000", "-€ 2.000", "€ 0", "€ 2.000", "€ 4.000"]
    assert bars(html) == [("chart__bar", "60", "25"), ("chart__bar chart__bar--negative", "10", "50")]
    assert '<line class="chart__axis" x1="60%" x2="60%"' in html  # the zero line; the zero row has no bar
    # Each bar's figure stands beside it, or inside its end when there is no room past it.
    assert re.findall(r'class="chart__value[^"]*"[^>]*>([^<]+)<', html) == ["€ 2.500", "-€ 5.000", "€ 0"]


def test_a_bar_chart_of_counts_keeps_small_values_visible_and_groups_thousands():
    html = render(COUNTS, rows=[{"label": "Twente", "count": 1000}, {"label": "Zeeland", "count": 3}])
    assert bars(html) == [("chart__bar", "0", "100"), ("chart__bar", "0", "0.5")]
    assert tick_labels(html) == ["0", "200", "400", "600", "800", "1,000"]
    assert ">1,000</td>" in html  # grouped like every number on the site


def test_a_figure_that_is_not_shown_gets_no_bar_and_says_so():
    html = render(COUNTS, rows=[{"label": "Twente", "count": 40}, {"label": "Zeeland", "count": None}])
    assert len(bars(html)) == 1
    assert html.count(">not shown<") == 2  # beside the missing bar and in the table


def test_a_chart_of_zeros_draws_its_axis_without_bars_and_a_chart_without_rows_says_there_is_nothing():
    zeros = render(COUNTS, rows=[{"label": "Twente", "count": 0}])
    assert bars(zeros) == [] and tick_labels(zeros) == ["0", "1"] and 'role="img"' in zeros
    empty = squash(render(COUNTS, rows=[]))
    assert "<svg" not in empty and "<table" not in empty
    assert '<figcaption class="chart__caption" id="chart-by-region">By region</figcaption>' in empty
    assert "There are no figures to show." in empty


def test_a_long_bar_chart_repeats_its_axis_labels_above_the_first_row():
    rows = [{"label": f"Region {i}", "count": i * 10} for i in range(1, 15)]
    html = render(COUNTS, rows=rows)
    assert tick_labels(html).count("150") == 2


def test_a_line_chart_joins_the_figures_in_time_order_and_labels_its_time_axis_sparingly():
    rows = [
        {"month": datetime.date(2026, m, 1), "balance_cents": c}
        for m, c in [(5, 0), (6, 80_000), (7, None), (8, 155_000), (9, 120_000), (10, 120_000), (11, 90_000)]
    ]
    html = squash(render(BALANCE, rows=rows))
    assert 'data-chart="line"' in html and 'role="img"' in html
    assert html.count("<circle") == 6  # every shown figure; the month not shown breaks the line
    assert len(re.findall(r'<g class="chart__line">(.*?)</g>', html)[0].split("<line")) - 1 == 4
    assert re.findall(r'text-anchor="(?:start|middle|end)">(\w+ 2026)</text>', html) == [
        "May 2026",
        "Aug 2026",
        "Nov 2026",
    ]
    assert ">€ 0</text>" in html and ">€ 1.500</text>" in html  # the value axis in whole euros
    assert '<th scope="row" class="utrecht-table__header-cell">July 2026</th>' in html  # the table has every month
    assert "Line chart of “Balance”, from € 0 in May 2026 to € 900 in November 2026." in html


def test_a_line_chart_in_dutch_names_its_months_the_dutch_way():
    rows = [{"month": datetime.date(2026, m, 1), "balance_cents": m * 10_000} for m in (9, 10)]
    with translation.override("nl"):
        html = Template("{% load components %}" + BALANCE).render(Context({"rows": rows}))
    assert ">okt 2026</text>" in html and ">oktober 2026</th>" in html and "Lijngrafiek" in html


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ('{% chart_table rows "A" "B" keys="a" value="a" caption="c" label_heading="l" %}', "2 headers but 1 keys"),
        ('{% chart_table rows "A" keys="a" value="b" caption="c" label_heading="l" %}', "must be one of keys"),
        ('{% chart_table rows "A" keys="a" value="a" kind="pie" caption="c" label_heading="l" %}', "kind is bar or"),
    ],
)
def test_a_chart_with_table_refuses_parameters_that_do_not_fit(tag, message):
    with pytest.raises(TemplateSyntaxError, match=message):
        render(tag, rows=[])


def test_the_older_spelling_bar_still_draws_the_chart():
    html = render(
        COUNTS.replace('value="count"', 'bar="count" chart_heading="Chart"'), rows=[{"label": "A", "count": 2}]
    )
    assert bars(html) == [("chart__bar", "0", "100")]


# --- card ------------------------------------------------------------------------------------------------------


def test_a_card_has_a_heading_its_content_and_a_link_that_says_where_it_goes():
    html = squash(
        render(
            '{% card _("Your courses") href="/mijn-inschrijvingen/" link_text="My enrolments" level=3 %}'
            '<p class="utrecht-paragraph">What you booked.</p>{% endcard %}'
        )
    )
    assert '<h3 class="utrecht-heading-3 card__title" id="card-your-courses">Your courses</h3>' in html
    assert '<div class="card__body"><p class="utrecht-paragraph">What you booked.</p></div>' in html
    assert '<a class="utrecht-link" href="/mijn-inschrijvingen/">My enrolments</a>' in html


def test_a_card_without_a_link_has_none_and_the_heading_level_is_checked():
    assert "<a " not in render('{% card "Metaal BV" %}<dl></dl>{% endcard %}')
    with pytest.raises(TemplateSyntaxError, match="heading level"):
        render('{% card "x" level=1 %}{% endcard %}')


def test_a_dashboard_card_shows_a_large_figure_with_its_label_a_button_and_a_link():
    html = squash(
        render(
            '{% card "Te besteden" figure="€ 600,00" figure_label="to spend now" action_href="/geld/" '
            'action_text="Add money" href="/leerrekening/" link_text="My Leerrekening" id="money" %}{% endcard %}'
        )
    )
    assert (
        '<p class="utrecht-paragraph card__figure"><span class="card__figure-value">€ 600,00</span> '
        '<span class="card__figure-label">to spend now</span></p>'
    ) in html
    assert (
        'class="utrecht-button-link utrecht-button-link--html-a utrecht-button-link--primary-action card__button"'
        in html
    )
    assert 'href="/geld/">Add money</a>' in html
    assert html.index("Add money") < html.index("My Leerrekening")
    assert "card__body" not in html  # no content: no empty body
    assert "card--attention" not in html


def test_a_card_that_needs_action_is_marked_and_a_zero_figure_still_shows():
    html = render('{% card "Waiting" figure=0 attention=True %}<p>x</p>{% endcard %}')
    assert '<section class="card card--attention">' in html
    assert '<span class="card__figure-value">0</span>' in html


def test_a_card_button_needs_its_text_and_a_link_needs_its_words():
    with pytest.raises(TemplateSyntaxError, match="action_href and action_text together"):
        render('{% card "x" action_href="/a/" %}{% endcard %}')
    with pytest.raises(TemplateSyntaxError, match="link_text"):
        render('{% card "x" href="/a/" %}{% endcard %}')
