"""The report as one HTML file: the page's Jinja2 template (shipped in the package, under
`templates/`) filled with what `collect` read and the charts `charts.py` drew."""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from sluice.api import Sluice
from sluice.report import charts
from sluice.report.collect import DEFAULT_RUNS, Report, collect

TEMPLATE = "report.html"


def render_html(report: Report) -> str:
    """The page: every style and chart inline, nothing to fetch."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("sluice.report", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=charts.number, percent=charts.percent, seconds=charts.seconds, label=charts.label,
                       exact=_exact)
    headline_svgs = {chart.spec.key: Markup(charts.headline_chart(chart))
                     for family in report.families for chart in family.charts if chart.rows}
    run_svgs = {module.name: tuple(Markup(svg) for svg in charts.run_history_charts(module.runs))
                for module in report.modules if module.runs}
    return env.get_template(TEMPLATE).render(report=report, headline_svgs=headline_svgs, run_svgs=run_svgs)


def write_report(project: Sluice, out: Path, runs: int = DEFAULT_RUNS) -> Path:
    """Collect, render and write the page to `out` (its folder made if need be)."""
    page = render_html(collect(project, runs))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def _exact(value: object) -> str:
    """A cell's value for `data-value`: as the database gave it, empty for NULL."""
    return "" if value is None else str(value)
