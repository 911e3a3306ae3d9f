"""The geometry of the charts that `{% chart_table %}` draws (docs/components.md): nice axis ticks and where each
bar, point and label goes.

The charts are server-rendered SVG without a viewBox: horizontal positions are percentages of the chart's width and
vertical positions are pixels, so the chart fills any width while its text keeps the size of the page's text (a
scaled viewBox would shrink the labels to nothing on a phone). Category labels sit above their bar, so a long
region name never needs a column of its own.
"""

import datetime
import itertools
import math
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import pgettext

from levenlang.core.money import format_cents

__all__ = [
    "BarChart",
    "LineChart",
    "bar_chart",
    "line_chart",
    "nice_ticks",
]

# Bar chart rows, in pixels: the label's baseline, the bar's top and height, and the row's height.
ROW_HEIGHT = 44
LABEL_BASELINE = 14
BAR_TOP = 19
BAR_HEIGHT = 18
VALUE_BASELINE = 32
AXIS_LABEL_GAP = 18  # from the axis line to the baseline of its tick labels
TOP_AXIS_FROM = 12  # a chart with more rows than this repeats the tick labels above the first row
# Line chart, in pixels: the plot area and the baseline of the time labels below it.
LINE_PLOT_TOP = 12
LINE_PLOT_BOTTOM = 172
LINE_HEIGHT = 200
LINE_MARGIN = 3  # percent of the width left free on both sides, so the first and last points are not cut
MAX_TIME_LABELS = 3


def nice_ticks(low: int, high: int, *, money: bool = False) -> list[int]:
    """Round tick values in steps of 1, 2 or 5 times a power of ten that cover low..high and always include zero.

    Counts step by at least 1 and money (cents) by at least one euro, so no tick falls between two whole numbers.
    Amounts take fewer ticks than counts: their labels are longer.
    """
    low, high = min(low, 0), max(high, 0)
    smallest = 100 if money else 1
    intervals = 4 if money else 5
    raw = max((high - low) / intervals, smallest)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), smallest)
    first = math.floor(low / step) * step
    last = max(math.ceil(high / step) * step, first + step)
    return list(range(first, last + step, step))


def _number(value: int, money: bool) -> str:
    """A figure as people read it: `€ 1.250` on an axis of whole euros, `5.003` for a count."""
    return format_cents(value, whole_euros=True) if money else str(formats.localize(value, use_l10n=True))


def _label(value, label_format: str) -> str:
    if isinstance(value, datetime.date) and label_format:
        return formats.date_format(value, label_format)
    return "" if value is None else str(value)


def _axis_label(value, label: str) -> str:
    """Under a time axis a month is short ("okt 2026"), so that three labels fit beside each other on a phone."""
    if isinstance(value, datetime.date):
        return formats.date_format(value, pgettext("short month and year on a chart's time axis", "M Y"))
    return label


@dataclass
class Tick:
    value: int
    text: str
    x: float = 0.0  # percent (bar chart)
    y: float = 0.0  # pixels (line chart)
    anchor: str = "middle"


@dataclass
class Bar:
    label: str
    value: int | None
    text: str
    top: int
    x: float = 0.0
    width: float = 0.0
    negative: bool = False
    text_x: float = 0.0
    text_anchor: str = "start"
    text_dx: int = 4
    text_inside: bool = False

    @property
    def label_y(self) -> int:
        return self.top + LABEL_BASELINE

    @property
    def bar_y(self) -> int:
        return self.top + BAR_TOP

    @property
    def text_y(self) -> int:
        return self.top + VALUE_BASELINE


@dataclass
class BarChart:
    bars: list[Bar]
    ticks: list[Tick]
    zero_x: float
    top: int  # where the first row starts
    axis_y: int  # the line under the last row
    height: int
    top_axis: bool
    bar_height: int = BAR_HEIGHT
    summary: dict = field(default_factory=dict)

    @property
    def axis_label_y(self) -> int:
        return self.axis_y + AXIS_LABEL_GAP

    @property
    def top_label_y(self) -> int:
        return self.top - 8


def _anchor(i: int, count: int) -> str:
    """The first label starts at its mark and the last ends at it, so neither runs off the chart."""
    return "start" if i == 0 else "end" if i == count - 1 else "middle"


def _summary(labels: list[str], values: list[int | None], texts: list[str]) -> dict:
    """The highest and lowest shown figure (and the first and last), for the chart's text description."""
    shown = [(v, label, t) for v, label, t in zip(values, labels, texts, strict=True) if v is not None]
    if not shown:
        return {}
    high = max(shown, key=lambda s: s[0])
    low = min(shown, key=lambda s: s[0])
    return {
        "high_label": high[1],
        "high": high[2],
        "low_label": low[1],
        "low": low[2],
        "first_label": shown[0][1],
        "first": shown[0][2],
        "last_label": shown[-1][1],
        "last": shown[-1][2],
    }


def _place_text(bar: Bar, end: float) -> None:
    """The figure goes just past the end of its bar, or inside the bar's end (light on dark) when there is no
    room past it."""
    bar.text_x = end
    room_past = (100 - end) if not bar.negative else end
    bar.text_inside = room_past < 30 and bar.width >= 25
    outward = "start" if not bar.negative else "end"
    inward = "end" if not bar.negative else "start"
    bar.text_anchor = inward if bar.text_inside else outward
    sign = 1 if (bar.text_anchor == "start") else -1
    bar.text_dx = 4 * sign


def bar_chart(
    labels: list, values: list[int | None], *, money: bool, none_text: str, label_format: str = ""
) -> BarChart:
    """Horizontal bars, one row per group, on an axis with nice ticks; None (a figure not shown) gets no bar."""
    present = [v for v in values if v is not None]
    ticks = nice_ticks(min(present, default=0), max(present, default=0), money=money)
    first, span = ticks[0], ticks[-1] - ticks[0]

    def x(v: int) -> float:
        return round(100 * (v - first) / span, 2)

    zero = x(0)
    top_axis = len(values) > TOP_AXIS_FROM
    top = 24 if top_axis else 6
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        text = none_text if value is None else _number(value, money)
        bar = Bar(label=_label(label, label_format), value=value, text=text, top=top + i * ROW_HEIGHT)
        if value is None:
            bar.text_x, bar.text_anchor, bar.text_dx = zero, "start", 4
        else:
            end = x(value)
            bar.negative = value < 0
            bar.x, bar.width = min(end, zero), round(abs(end - zero), 2)
            if value and bar.width < 0.5:  # a small figure stays visible
                bar.width = 0.5
                bar.x = zero - 0.5 if bar.negative else zero
            _place_text(bar, end)
        bars.append(bar)
    axis_y = top + len(values) * ROW_HEIGHT
    return BarChart(
        bars=bars,
        ticks=[
            Tick(value=t, text=_number(t, money), x=x(t), anchor=_anchor(i, len(ticks))) for i, t in enumerate(ticks)
        ],
        zero_x=zero,
        top=top,
        axis_y=axis_y,
        height=axis_y + AXIS_LABEL_GAP + 8,
        top_axis=top_axis,
        summary=_summary([b.label for b in bars], values, [b.text for b in bars]),
    )


@dataclass
class Point:
    label: str
    value: int | None
    text: str
    x: float
    axis_label: str = ""
    y: float = 0.0
    show_label: bool = False
    anchor: str = "middle"


@dataclass
class LineChart:
    points: list[Point]
    segments: list[tuple[Point, Point]]
    ticks: list[Tick]
    zero_y: float
    plot_top: int = LINE_PLOT_TOP
    plot_bottom: int = LINE_PLOT_BOTTOM
    height: int = LINE_HEIGHT
    summary: dict = field(default_factory=dict)

    @property
    def time_label_y(self) -> int:
        return self.plot_bottom + AXIS_LABEL_GAP + 2


def line_chart(
    labels: list, values: list[int | None], *, money: bool, none_text: str, label_format: str = ""
) -> LineChart:
    """A line through the figures in time order, evenly spaced; None breaks the line. At most three time labels
    are written under the axis, counted back from the latest (the table has every one)."""
    present = [v for v in values if v is not None]
    ticks = nice_ticks(min(present, default=0), max(present, default=0), money=money)
    first, span = ticks[0], ticks[-1] - ticks[0]
    height = LINE_PLOT_BOTTOM - LINE_PLOT_TOP

    def y(v: int) -> float:
        return round(LINE_PLOT_BOTTOM - height * (v - first) / span, 1)

    count = len(values)
    every = max(1, math.ceil(count / MAX_TIME_LABELS))
    points = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = 50.0 if count == 1 else round(LINE_MARGIN + i * (100 - 2 * LINE_MARGIN) / (count - 1), 2)
        text = none_text if value is None else _number(value, money)
        point = Point(label=_label(label, label_format), value=value, text=text, x=x)
        point.axis_label = _axis_label(label, point.label)
        point.y = y(value) if value is not None else 0.0
        point.show_label = (count - 1 - i) % every == 0  # the latest always has its label
        point.anchor = "middle" if count == 1 else _anchor(i, count)
        points.append(point)
    segments = [(a, b) for a, b in itertools.pairwise(points) if a.value is not None and b.value is not None]
    return LineChart(
        points=points,
        segments=segments,
        ticks=[Tick(value=t, text=_number(t, money), y=y(t)) for t in ticks],
        zero_y=y(0),
        summary=_summary([p.label for p in points], values, [p.text for p in points]),
    )
