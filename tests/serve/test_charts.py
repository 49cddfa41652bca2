"""Server-side SVG charts: one point per scan and series, gaps for missing values, escaped
labels, and nothing a strict Content-Security-Policy would block (no style attribute or element)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from drscan.serve.charts import MAX_SERIES, Series, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_one_point_per_value_and_a_line_per_series():
    svg = ET.fromstring(str(line_chart("t", ["#1", "#2", "#3"], [Series("fail", (3, 5, 4)), Series("pass", (9, None, 7))])))
    assert svg.get("data-points") == "3" and svg.get("data-series") == "2"
    circles = svg.findall(f"{SVG}circle")
    assert len(circles) == 5  # the missing value has no point
    assert [c.get("data-series") for c in circles] == ["fail"] * 3 + ["pass"] * 2
    assert len(svg.findall(f"{SVG}polyline")) == 2
    heights = [float(c.get("cy")) for c in circles[:3]]
    assert heights[1] < heights[2] < heights[0]  # larger values are drawn higher


def test_labels_are_escaped_and_nothing_needs_inline_style():
    text = str(line_chart('<script>alert(1)</script>', ['"><img src=x>'], [Series("<b>app</b>", (1,))]))
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text and "&lt;b&gt;app&lt;/b&gt;" in text
    assert "style" not in text
    ET.fromstring(text)  # well-formed


def test_series_are_capped_and_an_empty_chart_still_renders():
    many = [Series(f"s{i}", (i,)) for i in range(MAX_SERIES + 5)]
    svg = ET.fromstring(str(line_chart("t", ["#1"], many)))
    assert svg.get("data-series") == str(MAX_SERIES)
    empty = ET.fromstring(str(line_chart("t", [], [])))
    assert empty.findall(f"{SVG}circle") == []
