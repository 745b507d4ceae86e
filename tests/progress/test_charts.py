"""SVG charts: accessible, escaped, styled by class only, with a table of the same numbers."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from markupsafe import Markup

from quiz.progress import charts

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(figure: Markup) -> ET.Element:
    """The chart's SVG, parsed (which also proves it is well-formed XML)."""
    # Our own output, not untrusted input: the standard parser is fine here.
    return ET.fromstring(re.search(r"<svg.*</svg>", str(figure), re.S).group())  # noqa: S314


def table_rows(figure: Markup) -> list[tuple[str, str]]:
    body = re.search(r"<tbody>(.*)</tbody>", str(figure), re.S).group(1)
    return re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', body)


def week_data():
    return [charts.Datum(label="2 Mar", name="Week of 2 Mar", value=75.0, text="75% (3 of 4)"),
            charts.Datum(label="9 Mar", name="Week of 9 Mar", value=None, text="no answers"),
            charts.Datum(label="16 Mar", value=100.0, text="100% (2 of 2)")]


def test_a_bar_chart_is_an_image_with_a_title_and_a_table_of_the_same_numbers():
    figure = charts.bar_chart(week_data(), title="Accuracy per week", caption="Accuracy",
                              headers=("Week", "Accuracy"), unit="%", max_value=100)
    assert isinstance(figure, Markup)
    svg = svg_of(figure)
    assert svg.get("role") == "img" and svg.get("aria-label") == "Accuracy per week"
    assert svg.find(f"{SVG}title").text == "Accuracy per week"
    bars = svg.findall(f"{SVG}rect")
    assert len(bars) == 2  # the week without answers has no bar
    assert [b.find(f"{SVG}title").text for b in bars] == ["Week of 2 Mar: 75% (3 of 4)",
                                                          "16 Mar: 100% (2 of 2)"]
    # 75% of the 166-unit plot area, standing on the baseline.
    assert float(bars[0].get("height")) == 124.5
    assert table_rows(figure) == [("Week of 2 Mar", "75% (3 of 4)"),
                                  ("Week of 9 Mar", "no answers"),
                                  ("16 Mar", "100% (2 of 2)")]
    assert "<details" in figure and "<caption>Accuracy</caption>" in figure


def test_charts_escape_every_text_and_carry_no_inline_styles():
    evil = '<script>alert("x")</script>'
    data = [charts.Datum(label=evil, name=evil, value=1, text=evil, tone=evil)]
    for figure in (charts.bar_chart(data, title=evil, caption=evil, headers=(evil, evil)),
                   charts.line_chart(data, title=evil, caption=evil, headers=(evil, evil)),
                   charts.hbar_chart(data, title=evil, caption=evil, headers=(evil, evil)),
                   charts.heatmap([(date(2026, 3, 2), 1, evil)], title=evil, caption=evil,
                                  headers=(evil, evil))):
        assert "<script>" not in figure and "&lt;script&gt;" in figure
        assert " style=" not in figure and " fill=" not in figure
        svg_of(figure)


def test_bar_chart_axis_rounds_up_to_a_readable_maximum():
    data = [charts.Datum(label=str(n), value=n, text=str(n)) for n in (3, 7, 0)]
    svg = svg_of(charts.bar_chart(data, title="t", caption="c", headers=("a", "b")))
    ticks = [t.text for t in svg.findall(f"{SVG}text") if "y" in t.get("class").split()]
    assert ticks == ["0", "4", "8"]


def test_a_line_chart_joins_the_values_and_dots_each_one():
    data = [charts.Datum(label=f"{n} Mar", value=v, text=f"{v}%")
            for n, v in ((6, 33.3), (7, 100.0), (8, 50.0))]
    svg = svg_of(charts.line_chart(data, title="Tests", caption="c", headers=("a", "b"),
                                   max_value=100))
    assert len(svg.find(f"{SVG}polyline").get("points").split()) == 3
    assert len(svg.findall(f"{SVG}circle")) == 3
    single = svg_of(charts.line_chart(data[:1], title="Tests", caption="c",
                                      headers=("a", "b"), max_value=100))
    assert single.find(f"{SVG}polyline") is None and len(single.findall(f"{SVG}circle")) == 1


def test_horizontal_bars_grow_with_their_value_and_show_gaps_as_not_studied():
    data = [charts.Datum(label="90%", name="Cold War", value=0.9, text="90%", tone="ok"),
            charts.Datum(label="–", name="Rupture", value=None, text="not studied yet")]
    figure = charts.hbar_chart(data, title="Mastery", caption="c", headers=("Era", "Mastery"))
    bars = [r for r in svg_of(figure).findall(f"{SVG}rect") if "bar" in r.get("class")]
    assert [b.get("class") for b in bars] == ["bar ok", "bar"]
    assert float(bars[0].get("width")) == 315  # 90% of the 350-unit track
    assert float(bars[1].get("width")) == 0
    assert table_rows(figure) == [("Cold War", "90%"), ("Rupture", "not studied yet")]


def test_heat_levels_split_the_busiest_day_into_quarters():
    assert [charts.heat_level(n, 8) for n in (0, 1, 2, 3, 5, 8)] == [0, 1, 1, 2, 3, 4]
    assert charts.heat_level(0, 0) == 0


def test_a_year_heatmap_has_53_week_columns_and_one_cell_per_day():
    last = date(2026, 3, 9)
    days = [(last - timedelta(days=n), 0, "0 answers") for n in range(364, -1, -1)]
    days[-1] = (last, 4, "4 answers")
    days[-8] = (days[-8][0], 2, "2 answers")
    figure = charts.heatmap(days, title="Answers per day", caption="c",
                            headers=("Day", "Answers"))
    cells = [r for r in svg_of(figure).findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(cells) == 365
    columns = {int(c.get("x")) for c in cells}
    assert len(columns) == 53
    assert cells[-1].get("class") == "cell heat-4" and cells[-8].get("class") == "cell heat-2"
    assert cells[-1].find(f"{SVG}title").text == "Mon 9 Mar 2026: 4 answers"
    # Monday's row is the top one; the table lists only days with answers.
    assert int(cells[-1].get("y")) == charts.HEAT_TOP
    assert table_rows(figure) == [("Mon 2 Mar 2026", "2 answers"),
                                  ("Mon 9 Mar 2026", "4 answers")]
