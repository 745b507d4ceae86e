"""Server-rendered SVG charts, each shipped with a table of the same numbers.

Pure: no Flask, no database. Every chart is a <figure> holding an SVG (role="img", with a
<title> and an aria-label) and a <details> table that says the same thing in text, for
screen readers and for anyone who wants the numbers. Colours come from CSS classes in
static/style.css (no inline styles: the content security policy forbids them), so charts
follow the light and dark themes. All text is escaped by markupsafe.

The markup is built with f-strings, each text passed through `escape` and each number
through `_num` or `int`, and wrapped in Markup once: Markup.format escapes field by field and
cost half the dashboard's chart time.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape


@functools.lru_cache(maxsize=8192, typed=True)
def _escaped(value: object) -> Markup:
    """`escape(value)`, cached: a year's heatmap names the same dates and the same few words
    hundreds of times. Typed, so a `Markup` (already safe) and a plain string with the same
    text never share an entry."""
    return escape(value)

# The SVG coordinate system; the stylesheet scales charts to the page width.
WIDTH = 640
BAR_HEIGHT = 200
LINE_HEIGHT = 200
LINE_INSET = 28
LEFT = 40      # room for the y-axis labels
BOTTOM = 22    # room for the x-axis labels
TOP = 12
MAX_X_LABELS = 10
HEAT_CELL = 11
HEAT_PITCH = 13
HEAT_LEFT = 30
HEAT_TOP = 16
HEAT_LEVELS = 4
HBAR_LABEL = 230
HBAR_ROW = 26
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Datum:
    """One value to plot, with its words for the table and the tooltip.

    `label` is the short axis label, `name` the full one (defaults to the label); `text` is
    the value as a reader should hear it ("75% (3 of 4)"); a `value` of None is a gap with
    nothing to plot. `tone` adds a class to the bar (ok, mid, bad).
    """

    label: str
    value: float | None
    text: str
    name: str = ""
    tone: str = ""

    @property
    def full(self) -> str:
        return self.name or self.label


def _classes(*names: str) -> str:
    return " ".join(name for name in names if name)


def _num(value: float) -> str:
    """A coordinate, short and locale-free."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(body: str, *, title: str, width: float, height: float, css: str) -> Markup:
    # `body` is markup this module built, every text in it escaped already.
    title = _escaped(title)
    return Markup(  # noqa: S704 - an SVG of escaped texts and numbers
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_escaped(css)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" aria-label="{title}" '
        f'focusable="false"><title>{title}</title>{body}</svg>')


def table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Markup:
    """A plain data table: the first cell of each row is its header."""
    # Escaped by hand and joined as plain strings: a year of rows through Markup.format
    # costs more than the rest of the dashboard.
    head = "".join(f'<th scope="col">{_escaped(h)}</th>' for h in headers)
    body = "".join(
        f'<tr><th scope="row">{_escaped(row[0])}</th>'
        + "".join(f"<td>{_escaped(cell)}</td>" for cell in row[1:]) + "</tr>"
        for row in rows)
    return Markup(f'<table class="data"><caption>{_escaped(caption)}</caption>'  # noqa: S704
                  f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def figure(svg: Markup, data_table: Markup, *, caption: str, css: str = "") -> Markup:
    """A chart with its caption and, folded away, its table. On a narrow screen the chart
    keeps a legible size and scrolls sideways in its own region (the page does not)."""
    caption = _escaped(caption)
    return Markup(  # noqa: S704 - a figure around an escaped caption
        f'<figure class="{_escaped(_classes("chart", css))}"><div class="chart-scroll" '
        f'role="region" tabindex="0" aria-label="{caption}">{svg}</div>'
        f"<figcaption>{caption}</figcaption><details class=\"chart-table\"><summary>Show the "
        f"numbers</summary>{data_table}</details></figure>")


def _scale_max(values: Sequence[float], fixed: float | None) -> float:
    if fixed is not None:
        return fixed
    top = max(values, default=0)
    if top <= 0:
        return 1
    # Round the axis up to an even step of a power of ten, so that its middle label is a
    # whole count too (0, 2, 4 rather than 0, 2.5, 5).
    power = 10 ** math.floor(math.log10(top))
    return next(step * power for step in (2, 4, 6, 8, 10) if step * power >= top)


def _y_axis(top: float, height: float, unit: str) -> str:
    plot = height - TOP - BOTTOM
    parts = []
    for fraction in (0, 0.5, 1):
        y = TOP + plot * (1 - fraction)
        value = top * fraction
        shown = f"{value:g}" if value == int(value) else f"{value:.1f}"
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{_num(y)}" x2="{WIDTH}" '
                     f'y2="{_num(y)}"/><text class="tick y" x="{LEFT - 4}" y="{_num(y + 4)}">'
                     f"{_escaped(shown)}{_escaped(unit)}</text>")
    return "".join(parts)


def _x_labels(data: Sequence[Datum], centres: Sequence[float], height: float) -> str:
    every = max(1, math.ceil(len(data) / MAX_X_LABELS))
    return "".join(
        f'<text class="tick x" x="{_num(x)}" y="{_num(height - 6)}">{_escaped(datum.label)}</text>'
        for index, (datum, x) in enumerate(zip(data, centres, strict=True))
        if index % every == 0)


def bar_chart(data: Sequence[Datum], *, title: str, caption: str, headers: Sequence[str],
              unit: str = "", max_value: float | None = None, css: str = "") -> Markup:
    """Vertical bars, one per datum, on an axis from zero."""
    top = _scale_max([d.value for d in data if d.value is not None], max_value)
    plot = BAR_HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(data), 1)
    bars, centres = [], []
    for index, datum in enumerate(data):
        x = LEFT + slot * index
        centres.append(x + slot / 2)
        if datum.value is None:
            continue
        height = plot * min(max(datum.value, 0) / top, 1)
        bars.append(f'<rect class="{_escaped(_classes("bar", datum.tone))}" '
                    f'x="{_num(x + slot * 0.15)}" y="{_num(TOP + plot - height)}" '
                    f'width="{_num(slot * 0.7)}" height="{_num(height)}">'
                    f"<title>{_escaped(datum.full)}: {_escaped(datum.text)}</title></rect>")
    body = "".join([_y_axis(top, BAR_HEIGHT, unit), *bars,
                    _x_labels(data, centres, BAR_HEIGHT)])
    svg = _svg(body, title=title, width=WIDTH, height=BAR_HEIGHT, css="bars")
    rows = [(d.full, d.text) for d in data]
    return figure(svg, table(caption, headers, rows), caption=caption, css=css)


def line_chart(data: Sequence[Datum], *, title: str, caption: str, headers: Sequence[str],
               unit: str = "", max_value: float | None = None, css: str = "") -> Markup:
    """A line through the data in order, with a dot on each value."""
    top = _scale_max([d.value for d in data if d.value is not None], max_value)
    plot = LINE_HEIGHT - TOP - BOTTOM
    # Inset from both edges so the first and last dates are not cut off.
    inner = WIDTH - LEFT - 2 * LINE_INSET
    step = inner / (len(data) - 1) if len(data) > 1 else 0
    centres, points, dots = [], [], []
    for index, datum in enumerate(data):
        x = LEFT + LINE_INSET + (step * index if len(data) > 1 else inner / 2)
        centres.append(x)
        if datum.value is None:
            continue
        y = TOP + plot * (1 - min(max(datum.value, 0) / top, 1))
        points.append(f"{_num(x)},{_num(y)}")
        dots.append(f'<circle class="dot" cx="{_num(x)}" cy="{_num(y)}" r="4">'
                    f"<title>{_escaped(datum.full)}: {_escaped(datum.text)}</title></circle>")
    line = (f'<polyline class="line" points="{" ".join(points)}"/>'
            if len(points) > 1 else "")
    body = "".join([_y_axis(top, LINE_HEIGHT, unit), line, *dots,
                    _x_labels(data, centres, LINE_HEIGHT)])
    svg = _svg(body, title=title, width=WIDTH, height=LINE_HEIGHT, css="lines")
    rows = [(d.full, d.text) for d in data]
    return figure(svg, table(caption, headers, rows), caption=caption, css=css)


def hbar_chart(data: Sequence[Datum], *, title: str, caption: str, headers: Sequence[str],
               max_value: float = 1.0, css: str = "") -> Markup:
    """Horizontal bars on a track from zero to `max_value`, labelled on the left."""
    height = HBAR_ROW * len(data) + 4
    track = WIDTH - HBAR_LABEL - 60
    rows = []
    for index, datum in enumerate(data):
        y = 2 + HBAR_ROW * index
        length = 0 if datum.value is None else track * min(max(datum.value, 0) / max_value, 1)
        full, bar = _escaped(datum.full), HBAR_ROW - 10
        rows.append(
            f'<text class="label" x="{HBAR_LABEL - 8}" y="{_num(y + 16)}">{full}</text>'
            f'<rect class="track" x="{HBAR_LABEL}" y="{_num(y + 4)}" width="{_num(track)}" '
            f'height="{bar}"/><rect class="{_escaped(_classes("bar", datum.tone))}" '
            f'x="{HBAR_LABEL}" y="{_num(y + 4)}" width="{_num(length)}" height="{bar}">'
            f"<title>{full}: {_escaped(datum.text)}</title></rect>"
            f'<text class="value" x="{_num(HBAR_LABEL + track + 6)}" y="{_num(y + 16)}">'
            f"{_escaped(datum.label)}</text>")
    svg = _svg("".join(rows), title=title, width=WIDTH, height=height, css="hbars")
    table_rows = [(d.full, d.text) for d in data]
    return figure(svg, table(caption, headers, table_rows), caption=caption, css=css)


def heat_level(count: int, top: int) -> int:
    """The shade of a heatmap cell: 0 for none, then 1 to 4 in quarters of the busiest day."""
    if count <= 0 or top <= 0:
        return 0
    return min(HEAT_LEVELS, math.ceil(HEAT_LEVELS * count / top))


def heatmap(days: Sequence[tuple[date, int, str]], *, title: str, caption: str,
            headers: Sequence[str], css: str = "") -> Markup:
    """A calendar of weeks (columns, Monday first) by weekday (rows), shaded by count.

    `days` are consecutive (date, count, words) triples, oldest first; 365 days fill 53
    weeks. The table lists only the days with a count, the rest being zero.
    """
    if not days:
        return figure(_svg("", title=title, width=WIDTH, height=HEAT_TOP, css="heat"),
                      table(caption, headers, []), caption=caption, css=css)
    first_monday = days[0][0] - timedelta(days=days[0][0].weekday())
    weeks = (days[-1][0] - first_monday).days // 7 + 1
    top = max(count for _day, count, _text in days)
    cells, months = [], []
    for day, count, text in days:
        column, row = (day - first_monday).days // 7, day.weekday()
        x, y = HEAT_LEFT + HEAT_PITCH * column, HEAT_TOP + HEAT_PITCH * row
        cells.append(f'<rect class="cell heat-{heat_level(count, top)}" x="{x}" y="{y}" '
                     f'width="{HEAT_CELL}" height="{HEAT_CELL}"><title>'
                     f"{_escaped(long_date(day))}: {_escaped(text)}</title></rect>")
        # Name each month above the week it starts in, unless too close to the right edge.
        if day.day == 1 and column < weeks - 2:
            months.append(f'<text class="tick month" x="{x}" y="{HEAT_TOP - 5}">'
                          f"{MONTHS[day.month - 1]}</text>")
    weekdays = [f'<text class="tick y" x="{HEAT_LEFT - 4}" '
                f'y="{HEAT_TOP + HEAT_PITCH * row + 9}">{name}</text>'
                for row, name in enumerate(WEEKDAYS) if name]
    legend_y = HEAT_TOP + HEAT_PITCH * 7 + 4
    legend_x = HEAT_LEFT + HEAT_PITCH * weeks - HEAT_PITCH * (HEAT_LEVELS + 1) - 70
    legend = [f'<text class="tick" x="{legend_x}" y="{legend_y + 9}">Less</text>']
    for level in range(HEAT_LEVELS + 1):
        legend.append(f'<rect class="cell heat-{level}" x="{legend_x + 30 + HEAT_PITCH * level}" '
                      f'y="{legend_y}" width="{HEAT_CELL}" height="{HEAT_CELL}"/>')
    legend.append(f'<text class="tick" x="{legend_x + 34 + HEAT_PITCH * (HEAT_LEVELS + 1)}" '
                  f'y="{legend_y + 9}">More</text>')
    width = HEAT_LEFT + HEAT_PITCH * weeks
    height = legend_y + HEAT_CELL + 2
    svg = _svg("".join([*months, *weekdays, *cells, *legend]), title=title, width=width,
               height=height, css="heat")
    rows = [(long_date(day), text) for day, count, text in days if count]
    return figure(svg, table(caption, headers, rows), caption=caption, css=css)


def long_date(day: date) -> str:
    """'Mon 2 Mar 2026'."""
    # Names from tables rather than strftime: a year of cells asks for hundreds of them, and
    # the page is in English whatever the server's locale.
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"
