"""The report's charts, drawn by pygal as inline SVG: no browser, script or network involved.

pygal adds a small script of its own to each chart (its configuration, for an optional
tooltip library we never load) and comments naming itself; both are left out, and the
library's address is never set (`js=[]`), so the SVG is shapes and text only. Values and
labels arrive formatted the way the page's tables show them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import pygal
from pygal.style import Style

from sluice.report.collect import RunPoint
from sluice.report.headlines import ChartData

#: the series colours, in order: blue, orange, green, red, purple, brown
COLOURS = ("#1f6fb4", "#e6772e", "#2a9d55", "#c23b3b", "#7b5aa6", "#8c6d31")
STYLE = Style(
    background="transparent", plot_background="#ffffff", foreground="#333333", foreground_strong="#222222",
    foreground_subtle="#dddddd", colors=COLOURS, font_family="'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif",
    label_font_size=12, major_label_font_size=12, legend_font_size=13, value_font_size=11, tooltip_font_size=12,
    opacity=".85", opacity_hover=".95",
)
#: a chart's width in SVG units (the page scales it to its column)
WIDTH = 760
#: how wide a character of an axis label is, roughly, at the style's label size
LABEL_CHAR_WIDTH = 7


def headline_chart(chart: ChartData) -> str:
    """A family's chart: the query's first column along x, a series per other column."""
    formatter = percent if chart.spec.entry.format == "percent" else number
    kind = pygal.Bar if chart.spec.entry.kind == "bar" else pygal.Line
    plot = _plot(kind, [label(row[0]) for row in chart.rows], formatter, legend=len(chart.columns) > 2)
    for position, column in enumerate(chart.columns[1:], start=1):
        plot.add(column.replace("_", " "), [_float(row[position]) for row in chart.rows])
    return _svg(plot)


def run_history_charts(runs: Sequence[RunPoint]) -> tuple[str, str]:
    """A module's runs, oldest first, as two bar charts on one x axis: rows processed, and
    seconds taken (two scales too far apart for one chart)."""
    labels = [f"{run.started:%m-%d %H:%M:%S}" for run in runs]
    rows = _plot(pygal.Bar, labels, number, height=210, legend=False)
    rows.add("rows", [_float(run.rows) for run in runs])
    taken = _plot(pygal.Bar, labels, seconds, height=210, legend=False)
    taken.add("seconds", [_float(run.seconds) for run in runs], color=COLOURS[1])
    return _svg(rows), _svg(taken)


def _plot(kind: type, labels: list[str], formatter: Callable[[Any], str], height: int = 300,
          legend: bool = True) -> Any:
    plot = kind(style=STYLE, width=WIDTH, height=height, js=[], disable_xml_declaration=True, show_legend=legend,
                legend_at_bottom=True, legend_at_bottom_columns=4, margin=10, margin_bottom=30, margin_right=30,
                show_x_guides=False, dots_size=3.5, stroke_style={"width": 2.5}, min_scale=4, max_scale=8,
                truncate_label=-1, value_formatter=formatter, include_x_axis=True, allow_interruptions=True,
                no_data_text="no data", **_sparse_labels(labels))
    plot.x_labels = labels
    return plot


def _sparse_labels(labels: list[str]) -> dict[str, Any]:
    """Label every n-th point only, so labels never overlap: as many as fit side by side."""
    widest = max((len(text) for text in labels), default=1) * LABEL_CHAR_WIDTH + 16
    fit = max(2, (WIDTH - 100) // widest)
    if len(labels) <= fit:
        return {}
    return {"show_minor_x_labels": False, "x_labels_major_every": math.ceil(len(labels) / fit)}


def _svg(plot: Any) -> str:
    """The chart without pygal's configuration script (for the tooltips we do not load) and
    its comments (its name and addresses)."""
    return re.sub(r"<script\b.*?</script>|<!--.*?-->", "", plot.render(is_unicode=True), flags=re.DOTALL)


def label(value: Any) -> str:
    """An x value as the page shows it: a date as YYYY-MM-DD."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def number(value: Any) -> str:
    """A count with thousands separators; a fraction with two decimals; a gap as a dash."""
    if value is None:
        return "–"
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def percent(value: Any) -> str:
    return "–" if value is None else f"{float(value):.1%}"


def seconds(value: Any) -> str:
    return "–" if value is None else f"{float(value):,.1f} s"


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
