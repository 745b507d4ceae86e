"""Server-rendered SVG charts, each shipped with a table of the same numbers.

Pure: no Flask, no database. Every chart is a <figure> holding an SVG (role="img", with a
<title> and an aria-label) and a <details> table that says the same thing in text, for
screen readers and for anyone who wants the numbers. Colours come from CSS classes in
static/style.css (no inline styles: the content security policy forbids them), so charts
follow the light and dark themes. All text is escaped by markupsafe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

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


def _svg(body: Markup, *, title: str, width: float, height: float, css: str) -> Markup:
    return Markup('<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" '
                  'role="img" aria-label="{}" focusable="false"><title>{}</title>{}</svg>'
                  ).format(css, _num(width), _num(height), title, title, body)


def table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> Markup:
    """A plain data table: the first cell of each row is its header."""
    # Escaped by hand and joined as plain strings: a year of rows through Markup.format
    # costs more than the rest of the dashboard.
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        f'<tr><th scope="row">{escape(row[0])}</th>'
        + "".join(f"<td>{escape(cell)}</td>" for cell in row[1:]) + "</tr>"
        for row in rows)
    return Markup(f'<table class="data"><caption>{escape(caption)}</caption>'  # noqa: S704
                  f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def figure(svg: Markup, data_table: Markup, *, caption: str, css: str = "") -> Markup:
    """A chart with its caption and, folded away, its table. On a narrow screen the chart
    keeps a legible size and scrolls sideways in its own region (the page does not)."""
    return Markup('<figure class="{}"><div class="chart-scroll" role="region" tabindex="0" '
                  'aria-label="{}">{}</div><figcaption>{}</figcaption>'
                  '<details class="chart-table"><summary>Show the numbers</summary>{}</details>'
                  "</figure>").format(_classes("chart", css), caption, svg, caption, data_table)


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


def _y_axis(top: float, height: float, unit: str) -> Markup:
    plot = height - TOP - BOTTOM
    parts = []
    for fraction in (0, 0.5, 1):
        y = TOP + plot * (1 - fraction)
        value = top * fraction
        shown = f"{value:g}" if value == int(value) else f"{value:.1f}"
        parts.append(Markup('<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                            '<text class="tick y" x="{}" y="{}">{}{}</text>').format(
            LEFT, _num(y), WIDTH, _num(y), LEFT - 4, _num(y + 4), shown, unit))
    return Markup("").join(parts)


def _x_labels(data: Sequence[Datum], centres: Sequence[float], height: float) -> Markup:
    every = max(1, math.ceil(len(data) / MAX_X_LABELS))
    return Markup("").join(
        Markup('<text class="tick x" x="{}" y="{}">{}</text>').format(
            _num(x), _num(height - 6), datum.label)
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
        bars.append(Markup('<rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                           "<title>{}: {}</title></rect>").format(
            _classes("bar", datum.tone), _num(x + slot * 0.15), _num(TOP + plot - height),
            _num(slot * 0.7), _num(height), datum.full, datum.text))
    body = Markup("").join([_y_axis(top, BAR_HEIGHT, unit), *bars,
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
        dots.append(Markup('<circle class="dot" cx="{}" cy="{}" r="4"><title>{}: {}</title>'
                           "</circle>").format(_num(x), _num(y), datum.full, datum.text))
    line = (Markup('<polyline class="line" points="{}"/>').format(" ".join(points))
            if len(points) > 1 else Markup(""))
    body = Markup("").join([_y_axis(top, LINE_HEIGHT, unit), line, *dots,
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
        rows.append(Markup(
            '<text class="label" x="{}" y="{}">{}</text>'
            '<rect class="track" x="{}" y="{}" width="{}" height="{}"/>'
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title>'
            '</rect><text class="value" x="{}" y="{}">{}</text>').format(
            HBAR_LABEL - 8, _num(y + 16), datum.full,
            HBAR_LABEL, _num(y + 4), _num(track), HBAR_ROW - 10,
            _classes("bar", datum.tone), HBAR_LABEL, _num(y + 4), _num(length), HBAR_ROW - 10,
            datum.full, datum.text, HBAR_LABEL + track + 6, _num(y + 16), datum.label))
    svg = _svg(Markup("").join(rows), title=title, width=WIDTH, height=height, css="hbars")
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
        return figure(_svg(Markup(""), title=title, width=WIDTH, height=HEAT_TOP, css="heat"),
                      table(caption, headers, []), caption=caption, css=css)
    first_monday = days[0][0] - timedelta(days=days[0][0].weekday())
    weeks = (days[-1][0] - first_monday).days // 7 + 1
    top = max(count for _day, count, _text in days)
    cells, months = [], []
    for day, count, text in days:
        column, row = (day - first_monday).days // 7, day.weekday()
        x, y = HEAT_LEFT + HEAT_PITCH * column, HEAT_TOP + HEAT_PITCH * row
        # Plain strings with the words escaped by hand: 365 cells through Markup.format
        # would cost more than the rest of the dashboard.
        cells.append(f'<rect class="cell heat-{heat_level(count, top)}" x="{x}" y="{y}" '
                     f'width="{HEAT_CELL}" height="{HEAT_CELL}"><title>'
                     f"{escape(_long_date(day))}: {escape(text)}</title></rect>")
        # Name each month above the week it starts in, unless too close to the right edge.
        if day.day == 1 and column < weeks - 2:
            months.append(Markup('<text class="tick month" x="{}" y="{}">{}</text>').format(
                x, HEAT_TOP - 5, day.strftime("%b")))
    weekdays = [Markup('<text class="tick y" x="{}" y="{}">{}</text>').format(
        HEAT_LEFT - 4, HEAT_TOP + HEAT_PITCH * row + 9, name)
        for row, name in enumerate(WEEKDAYS) if name]
    legend_y = HEAT_TOP + HEAT_PITCH * 7 + 4
    legend_x = HEAT_LEFT + HEAT_PITCH * weeks - HEAT_PITCH * (HEAT_LEVELS + 1) - 70
    legend = [Markup('<text class="tick" x="{}" y="{}">Less</text>').format(
        legend_x, legend_y + 9)]
    for level in range(HEAT_LEVELS + 1):
        legend.append(Markup('<rect class="cell heat-{}" x="{}" y="{}" width="{}" height="{}"/>'
                             ).format(level, legend_x + 30 + HEAT_PITCH * level, legend_y,
                                      HEAT_CELL, HEAT_CELL))
    legend.append(Markup('<text class="tick" x="{}" y="{}">More</text>').format(
        legend_x + 34 + HEAT_PITCH * (HEAT_LEVELS + 1), legend_y + 9))
    width = HEAT_LEFT + HEAT_PITCH * weeks
    height = legend_y + HEAT_CELL + 2
    body = Markup("").join([*months, *weekdays, Markup("".join(cells)), *legend])  # noqa: S704
    svg = _svg(body, title=title, width=width, height=height, css="heat")
    rows = [(_long_date(day), text) for day, count, text in days if count]
    return figure(svg, table(caption, headers, rows), caption=caption, css=css)


def _long_date(day: date) -> str:
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b %Y')}"
