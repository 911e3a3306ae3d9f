"""`{% load components %}`: the page building blocks every template shares, one place each (see docs/components.md).

Each tag renders a template under core/templates/components/ with Utrecht (NL Design System) classes, except
money_cell, written in Python because a page may have hundreds. Layout and
colour live in portal/static/portal/site.css: no inline scripts or style attributes, so a strict
Content-Security-Policy can come without touching the templates.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.core.paginator import Page
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from levenlang.core import charts
from levenlang.core.money import format_cents

register = template.Library()


@dataclass(frozen=True)
class Column:
    """A column header of data_table or chart_table; chart_table shows row[key] in it."""

    label: str
    numeric: bool = False
    money: bool = False
    key: str = ""


def _positions(spec, count: int, tag: str, name: str) -> set[int]:
    """`"4 5"` → {4, 5}: 1-based column positions, checked against the number of columns."""
    try:
        positions = {int(p) for p in str(spec or "").replace(",", " ").split()}
    except ValueError:
        raise template.TemplateSyntaxError(f'{tag}: {name} lists column numbers, like {name}="4 5".') from None
    if any(not 1 <= p <= count for p in positions):
        raise template.TemplateSyntaxError(f"{tag}: {name}={spec!r} names a column that is not there (1 to {count}).")
    return positions


# --- data table -------------------------------------------------------------------------------------------------


@register.simple_block_tag
def data_table(
    content, *headers, caption="", id="", labelledby="", numeric="", empty="", hide_caption=False, scroll=True
):
    """A table of data: `{% data_table _("Course") _("Price") numeric="2" caption=… %}<tr>…</tr>{% enddata_table %}`.

    Parameters:
      content       the body rows (`<tr>` elements, usually a `{% for %}` loop), optionally followed by one
                    `<tfoot class="utrecht-table__footer">…</tfoot>` for totals; the tag puts the rows in `<tbody>`.
      *headers      the column headers, in order; each becomes `<th scope="col">`. The first cell of each row
                    should be `<th scope="row" class="utrecht-table__header-cell">`.
      numeric       the positions (from 1) of the columns that hold numbers or amounts, like "4 5": their headers
                    are right-aligned like their cells (`{% money_cell %}`, or class "number" on a `<td>`).
      caption       the table's name, shown as `<caption>`. Give either caption or labelledby.
      id            the caption's id (default: derived from the caption); the scroll region points to it.
      labelledby    the id of the heading just above that names the table; then no caption is shown.
      empty         the text of the one row shown when content has no rows (spans every column).
      hide_caption  keep the caption for screen readers only (when the page says the same thing visibly).
      scroll        wrap the table in a keyboard-focusable region that scrolls sideways on narrow screens.
    """
    if not caption and not labelledby:
        raise template.TemplateSyntaxError("data_table needs a caption or labelledby: every table has a name.")
    right = _positions(numeric, len(headers), "data_table", "numeric")
    body, footer = content, ""
    if "<tfoot" in content:
        split = content.index("<tfoot")
        body, footer = content[:split], content[split:]
    caption_id = id or (f"table-{slugify(strip_tags(caption))}" if caption else "")
    return render_to_string(
        "components/data_table.html",
        {
            "columns": [Column(label=h, numeric=i in right) for i, h in enumerate(headers, 1)],
            # The content is the rendered block, already escaped; slicing it lost the safe mark.
            "body": mark_safe(body) if body.strip() else "",  # noqa: S308
            "footer": mark_safe(footer),  # noqa: S308
            "caption": caption,
            "caption_id": caption_id,
            "name_id": labelledby or caption_id,
            "labelledby": labelledby,
            "empty": empty,
            "hide_caption": hide_caption,
            "scroll": scroll,
        },
    )


@register.simple_tag
def money_cell(cents, strong=False, empty="—", data=""):
    """A table cell with an amount: `{% money_cell row.price_cents %}` → `<td …>€ 1.234,56</td>`.

    Parameters:
      cents   integer euro cents (never a float); None shows `empty`.
      strong  show the amount in bold (totals).
      empty   the text for None (default an em dash).
      data    a name: adds `data-<name>="<cents>"` with the raw cents, for tests and scripts.
    The cell is right-aligned with tabular figures and never wraps; a negative amount gets a minus sign
    (and the class money-cell--negative).

    Written here rather than in a template: a statement has dozens of these cells, and a template per cell cost
    more than the rest of the table (docs/performance.md).
    """
    negative = " money-cell--negative" if isinstance(cents, int) and cents < 0 else ""
    attribute = format_html(' data-{}="{}"', data, cents) if data else ""
    if cents is None:
        amount = conditional_escape(empty)
    elif strong:
        amount = format_html("<strong>{}</strong>", format_cents(cents))
    else:
        amount = conditional_escape(format_cents(cents))
    return format_html('<td class="{}{}"{}>{}</td>\n', MONEY_CELL_CLASS, negative, attribute, amount)


MONEY_CELL_CLASS = (
    "utrecht-table__cell utrecht-table__cell--numeric-column utrecht-table__cell--numeric-data money-cell"
)


# --- pager ---------------------------------------------------------------------------------------------------


@register.inclusion_tag("components/pager.html", takes_context=True)
def pager(context, page: Page | None = None, number: int | None = None, pages: int | None = None, param="page"):
    """Previous / "Page n of m" / Next links under a long list: `{% pager page %}`.

    Parameters:
      page    a Django Page (from Paginator.get_page); or give number and pages instead.
      number  the current page number, from 1.
      pages   the number of pages.
      param   the query parameter that holds the page number.
    The links keep every other query parameter of the current request (filters, search words). Nothing is shown
    when everything fits on one page.
    """
    if page is not None:
        number, pages = page.number, page.paginator.num_pages
    number, pages = int(number or 1), int(pages or 1)
    request = context.get("request")
    query = [(k, v) for k, values in (request.GET.lists() if request else []) if k != param for v in values]

    def href(n: int) -> str:
        return "?" + urlencode([*query, (param, n)])

    return {
        "number": number,
        "pages": pages,
        "previous_href": href(number - 1) if number > 1 else "",
        "next_href": href(number + 1) if number < pages else "",
    }


# --- status badge --------------------------------------------------------------------------------------------

# The tone of each status value used on the platform (enrolments, providers, recognitions, modules, imports,
# what-if runs, payments). The same value means the same thing in each of them.
STATUS_TONES = {
    # done, good
    "approved": "positive",
    "published": "positive",
    "succeeded": "positive",
    "done": "positive",
    "paid": "positive",
    "paid_out": "positive",
    "posted": "positive",
    "eligible": "positive",
    # stopped by a decision or a problem
    "refused": "negative",
    "rejected": "negative",
    "failed": "negative",
    "suspended": "negative",
    "not_started": "negative",
    # someone must act
    "requested": "attention",
    "accepted": "attention",
    "completed": "attention",
    "disputed": "attention",
    "submitted": "attention",
    "pending": "attention",
    "open": "attention",
    # under way
    "queued": "progress",
    "running": "progress",
    "reserved": "progress",
    "started": "progress",
    # ended without effect
    "draft": "neutral",
    "cancelled": "neutral",
    "voided": "neutral",
    "expired": "neutral",
    "not_eligible": "neutral",
}
TONES = ("positive", "negative", "attention", "progress", "neutral")
# A symbol per tone beside the text: a second cue besides colour, hidden from screen readers (the text says it).
TONE_SYMBOLS = {"positive": "✓", "negative": "✗", "attention": "!", "progress": "…", "neutral": "–"}


@register.inclusion_tag("components/status_badge.html")
def status_badge(status, label=None, tone=None):
    """A status as a badge: `{% status_badge e.status e.get_status_display %}`.

    Parameters:
      status  the stored value ("reserved", "failed", …); picks the tone and becomes data-status.
      label   the text people read (default: the value itself); always shown, so colour is never the only cue.
      tone    override the tone: positive, negative, attention, progress or neutral (see STATUS_TONES).
    """
    tone = tone or STATUS_TONES.get(str(status), "neutral")
    if tone not in TONES:
        raise template.TemplateSyntaxError(f"status_badge: unknown tone {tone!r}; use one of {', '.join(TONES)}.")
    return {"status": status, "label": status if label is None else label, "tone": tone, "symbol": TONE_SYMBOLS[tone]}


# --- error summary -------------------------------------------------------------------------------------------


@register.inclusion_tag("components/error_summary.html")
def error_summary(form, title=None):
    """The error summary above a form: `{% error_summary form %}`. Shows nothing when the form has no errors.

    Parameters:
      form   a bound Django form; every field error links to its field, non-field errors are listed as text.
      title  the heading (default "Please correct the following").
    The summary has id="error-summary" and role="alert", so screen readers announce it after a submit.
    """
    errors = []
    if form is not None and form.errors:
        for field in form:
            # A group of radio buttons or checkboxes has no single label target: link to its first input.
            target = field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")
            errors += [{"href": f"#{target}" if target else "", "label": field.label, "text": e} for e in field.errors]
        errors += [{"href": "", "label": "", "text": e} for e in form.non_field_errors()]
    return {"errors": errors, "title": title}


# --- chart with table ----------------------------------------------------------------------------------------

CHART_KINDS = ("bar", "line")
CHART_TABLES = ("details", "visible")


def _chart_description(kind: str, what: str, summary: dict) -> str:
    """The chart's text alternative in one or two sentences; the table beside it has every figure."""
    if not summary:
        return _("There are no figures to show.")
    if kind == "line":
        text = _("Line chart of “%(what)s”, from %(first)s in %(first_label)s to %(last)s in %(last_label)s.")
    else:
        text = _("Bar chart of “%(what)s”. Highest: %(high_label)s, %(high)s. Lowest: %(low_label)s, %(low)s.")
    return text % {"what": what, **summary} + " " + _("The figures are in the table with the chart.")


def _chart_columns(headers: tuple, keys: list[str], money, value: str) -> list[Column]:
    """The table's figure columns of chart_table, checked: one key per header, the charted value among them."""
    if len(keys) != len(headers):
        raise template.TemplateSyntaxError(f"chart_table: {len(headers)} headers but {len(keys)} keys.")
    if value not in keys:
        raise template.TemplateSyntaxError(f"chart_table: value={value!r} must be one of keys (the table shows it).")
    euros = _positions(money, len(headers), "chart_table", "money")
    pairs = enumerate(zip(headers, keys, strict=True), 1)
    return [Column(label=h, numeric=True, money=i in euros, key=k) for i, (h, k) in pairs]


@register.inclusion_tag("components/chart_table.html")
def chart_table(
    rows,
    *headers,
    keys,
    caption,
    label_heading,
    value="",
    bar="",
    kind="bar",
    table="details",
    money="",
    label_key="label",
    label_format="",
    none_text="",
    id="",
    chart_heading="",
):
    """A chart (SVG) with its figures in a table: `{% chart_table rows _("Residents") keys="count" value="count" … %}`.

    Parameters:
      rows           a list of dicts (or objects), one per group (bar) or per moment in time order (line).
      *headers       the headers of the figure columns of the table, in order.
      keys           the row keys those columns show, one per header, separated by spaces.
      value          the key the chart shows; one of keys (`bar` is its older name).
      kind           "bar": a bar per row on a value axis (negative values go left of zero);
                     "line": a line over time through the rows, in their order.
      table          "details": the table sits behind a "Show as table" disclosure under the chart (a chart of one
                     figure); "visible": the table is shown under the chart (several figures per row).
      money          the positions (from 1, among the figure columns) that hold cents, shown as euros: "2 3".
      caption        the name of the chart and its table (a figure caption).
      label_heading  the header of the table's first column, which holds each row's label (a row header).
      label_key      the row key of the label (default "label").
      label_format   a date format ("M Y") for labels that are dates.
      none_text      the text for a figure that is None; by default "not shown" (core.privacy hid it).
      id             the caption's id (default: derived from the caption).
      chart_heading  no longer used (the chart is named by its caption); accepted so that older calls still work.
    The SVG has role="img" and is named by a title and a description that give the highest and lowest figure;
    its axis has round ticks (steps of 1, 2 or 5), in euros when the value is money.
    """
    value = value or bar
    if kind not in CHART_KINDS or table not in CHART_TABLES:
        raise template.TemplateSyntaxError("chart_table: kind is bar or line, table is details or visible.")
    cols = _chart_columns(headers, str(keys).split(), money, value)
    shown = next(c for c in cols if c.key == value)

    def get(row, key):
        return row.get(key) if isinstance(row, dict) else getattr(row, key, None)

    none_text = none_text or _("not shown")  # core.privacy hides small groups as None
    labels = [get(row, label_key) for row in rows]
    draw = charts.line_chart if kind == "line" else charts.bar_chart
    chart = draw(
        labels, [get(row, value) for row in rows], money=shown.money, none_text=none_text, label_format=label_format
    )
    caption_id = id or f"chart-{slugify(strip_tags(caption))}"
    return {
        "kind": kind,
        "chart": chart,
        "caption": caption,
        "caption_id": caption_id,
        "description": _chart_description(kind, strip_tags(shown.label), chart.summary),
        "table": table,
        "label_heading": label_heading,
        "columns": cols,
        "none_text": none_text,
        "rows": [
            {"label": mark.label, "cells": [{"value": get(row, c.key), "column": c} for c in cols]}
            for row, mark in zip(rows, _marks(chart), strict=True)
        ],
    }


def _marks(chart: charts.BarChart | charts.LineChart) -> list:
    """The bars or points of a chart, one per row, with the row's label as people read it."""
    return chart.points if isinstance(chart, charts.LineChart) else chart.bars


# --- card ----------------------------------------------------------------------------------------------------


@register.simple_block_tag
def card(
    content,
    title,
    href="",
    link_text="",
    level=2,
    id="",
    figure="",
    figure_label="",
    action_href="",
    action_text="",
    attention=False,
):
    """A card: a titled block on a home page, `{% card _("Your courses") href=… link_text=… %}text{% endcard %}`.

    Parameters:
      content       what the card says (paragraphs, a data list, a form); may be empty when the figure says it.
      title         the card's heading.
      href          where the card's link goes (optional).
      link_text     the link's text; say where it goes ("My enrolments"), not "Read more".
      level         the heading level, 2 to 4, to fit the page's outline (default 2).
      id            the heading's id (default: derived from the title).
      figure        one large figure under the heading: an amount or a count, already formatted ("€ 1.234,56").
      figure_label  what the figure is, in words, shown beside it ("to spend now"); the figure and its label
                    are read as one sentence.
      action_href   where the card's button goes: the one task the card is about ("Add money").
      action_text   the button's text; say what happens. Give both action_href and action_text, or neither.
      attention     mark the card as needing the reader's action (a coloured edge and the heading's text say so;
                    colour is never the only cue).
    Put cards in `<div class="card-list">` to show them side by side where there is room.
    """
    level = int(level)
    if not 2 <= level <= 4:
        raise template.TemplateSyntaxError("card: the heading level must be 2, 3 or 4.")
    if bool(action_href) != bool(action_text):
        raise template.TemplateSyntaxError("card: give action_href and action_text together: a button says where.")
    if href and not link_text:
        raise template.TemplateSyntaxError("card: a link needs link_text that says where it goes.")
    return render_to_string(
        "components/card.html",
        {
            "content": content if content.strip() else "",
            "title": title,
            "href": href,
            "link_text": link_text,
            "level": level,
            "heading_id": id or f"card-{slugify(strip_tags(str(title)))}",
            "figure": figure,
            "figure_label": figure_label,
            "action_href": action_href,
            "action_text": action_text,
            "attention": attention,
        },
    )


# --- breadcrumbs ------------------------------------------------------------------------------------------------


@register.inclusion_tag("components/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, *trail, current):
    """The breadcrumb trail of a deeper page, in `{% block breadcrumbs %}` of base.html:
    `{% block breadcrumbs %}{% breadcrumbs module.title module_url current=_("New offering") %}{% endblock %}`.

    Parameters:
      *trail    steps between the section and this page, as pairs: label, address (optional; most pages have none).
      current   this page's name, the last step (`aria-current="page"`); usually the page's heading.
    The trail starts with Home and the person's section of the page (from the site menu, `nav.up`, which
    portal/navigation.py knows), so a page names only what lies between its section and itself. On a page that is
    in the person's menu the tag shows nothing: the menu marks where they are.
    """
    if len(trail) % 2:
        raise template.TemplateSyntaxError("breadcrumbs: the trail goes in pairs, label then address.")
    nav = context.get("nav")
    if getattr(nav, "in_menu", False):
        return {"steps": []}
    steps = [{"label": _("Home"), "url": reverse("portal:home")}]
    up = getattr(nav, "up", None)
    if up:
        steps.append(up)
    steps += [{"label": label, "url": url} for label, url in zip(trail[::2], trail[1::2], strict=True)]
    return {"steps": steps, "current": current}
