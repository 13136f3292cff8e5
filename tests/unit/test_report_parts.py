"""The parts of `sluice report` that need no warehouse: each family's report.yml and its
queries on every dialect, the charts' SVG, the formats numbers are shown in, and the page's
template as the package ships it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import jinja2
import pytest
import sqlglot
import yaml

from sluice.config import load_project
from sluice.errors import PlaybookError
from sluice.families import FAMILIES, project_renderer
from sluice.lifecycle.modules import discover
from sluice.report import charts, validation
from sluice.report.collect import RunPoint
from sluice.report.headlines import ChartData, chart_sql, chart_variables
from sluice.report.spec import REPORT_FILE, family_charts, read_charts
from sluice.report.validation import check_charts
from sluice.targets import DIALECTS
from sluice.targets.base import split_statements


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("both")
    (root / "sluice.yml").write_text(yaml.safe_dump({"models": list(FAMILIES), "vars": {"entropy": "_x"}}))
    return load_project(root)


def test_each_family_declares_its_headline_charts():
    assert {f: [c.entry.name for c in family_charts(FAMILIES[f])] for f in FAMILIES} == {
        "snowplow-web": ["daily_traffic", "engaged_time"], "rudderstack": ["daily_activity", "bounce_rate"],
        "growth": ["registrations_by_channel", "live_session_share"]}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_report_query_renders_and_parses(project, dialect):
    renderer = project_renderer(project, dialect)
    builders = {table: module for module in discover(project).values() for table in module.tables}
    for family in FAMILIES.values():
        for spec in family_charts(family):
            variables = chart_variables(project, builders[spec.entry.reads[0]], {}, dialect)
            sql = chart_sql(renderer, spec, variables, project.root)
            (statement,) = split_statements(sql, dialect)
            parsed = sqlglot.parse_one(statement, read=dialect)
            assert isinstance(parsed, sqlglot.exp.Query), f"{spec.key} on {dialect}:\n{statement}"
            for table in spec.entry.reads:  # read where the module wrote it, entropy and all
                assert f"derived.{table}_x" in statement, f"{spec.key} on {dialect}"


@pytest.mark.parametrize(("text", "message"), [
    ("charts: [{name: c, title: T, file: report/none.sql, reads: [t]}]", "chart 'c': report/none.sql does not exist"),
    ("charts: [{name: c, title: T, file: x.sql, reads: []}]", "charts.0.reads: List should have at least 1 item"),
    ("charts: [{name: c, title: T, file: x.sql, reads: [t], kind: pie}]", "charts.0.kind: expected 'line' or 'bar'"),
    ("charts: [{name: c, title: T, file: x.sql, reads: [t], colour: red}]", "charts.0.colour: unknown key"),
])
def test_a_wrong_report_file_is_one_line_naming_it(tmp_path, text, message):
    (tmp_path / REPORT_FILE).write_text(text)
    with pytest.raises(PlaybookError) as raised:
        read_charts("made-up", tmp_path / REPORT_FILE, tmp_path)
    assert str(raised.value).startswith(f"{tmp_path / REPORT_FILE}: ") and message in str(raised.value)


def test_a_family_without_a_report_file_has_no_charts(tmp_path):
    assert read_charts("quiet", tmp_path / REPORT_FILE, tmp_path) == []


def web_chart(name: str, columns: tuple[str, ...], rows: list[tuple]) -> ChartData:
    (spec,) = [c for c in family_charts(FAMILIES["snowplow-web"]) if c.entry.name == name]
    return ChartData(spec, columns, tuple(rows))


def test_a_line_chart_draws_a_dot_per_value_and_nothing_to_fetch():
    chart = web_chart("daily_traffic", ("report_date", "page_views", "sessions", "users"),
                      [(date(2024, 3, 1), 10, 4, 3), (date(2024, 3, 2), 1200, 40, 30)])
    svg = charts.headline_chart(chart)
    assert svg.startswith("<svg") and "<script" not in svg and "<!--" not in svg and "http" not in svg.split(">", 1)[1]
    assert svg.count('class="dot ') == 6
    for text in ("2024-03-01", "2024-03-02", "page views", "sessions", "users"):
        assert f">{text}<" in svg


def test_a_bar_chart_draws_a_bar_per_value_zeros_included():
    chart = web_chart("engaged_time", ("engaged_time", "page_views"), [("0 s", 0), ("1-29 s", 7), ("10 min+", 1)])
    assert charts.headline_chart(chart).count('class="rect ') == 3


def test_the_run_history_is_two_bar_charts_of_one_bar_per_run():
    runs = [RunPoint("r1", "complete", datetime(2024, 3, 1, 10), 120, 1.5),
            RunPoint("r2", "failed", datetime(2024, 3, 1, 11), None, None)]
    rows, seconds = charts.run_history_charts(runs)
    assert rows.count('class="rect ') == 1 and seconds.count('class="rect ') == 1  # a failed run has no figures
    assert ">03-01 10:00:00<" in rows and ">03-01 11:00:00<" in seconds


@pytest.mark.parametrize(("formatter", "value", "shown"), [
    (charts.number, 1234567, "1,234,567"), (charts.number, 2.0, "2"), (charts.number, 0.125, "0.12"),
    (charts.number, None, "–"), (charts.percent, 0.4286, "42.9%"), (charts.percent, None, "–"),
    (charts.seconds, 0.04, "0.0 s"), (charts.seconds, 1234.56, "1,234.6 s"),
    (charts.label, date(2024, 3, 1), "2024-03-01"), (charts.label, datetime(2024, 3, 1, 9, 5), "2024-03-01 09:05"),
])
def test_numbers_read_the_same_in_tables_and_charts(formatter, value, shown):
    assert formatter(value) == shown


def test_the_page_template_ships_in_the_package():
    source, filename, _ = jinja2.PackageLoader("sluice.report", "templates").get_source(jinja2.Environment(),
                                                                                         "report.html")
    assert "<!doctype html>" in source and Path(filename).parent.name == "templates"


def test_sluice_check_renders_and_parses_every_chart(project):
    assert check_charts(project) == []


@pytest.mark.parametrize(("sql", "problem"), [
    ("SELECT report_date, FROM {{ table(output_schema, 'page_views') }} WHERE", "report chart 'snowplow-web.c' on "),
    ("SELECT {{ no_such_variable }} FROM {{ table(output_schema, 'page_views') }}", "no_such_variable"),
])
def test_sluice_check_names_a_broken_chart(project, tmp_path, monkeypatch, sql, problem):
    (tmp_path / REPORT_FILE).write_text("charts: [{name: c, title: T, file: report/c.sql, reads: [page_views]}]")
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "c.sql").write_text(sql)
    broken = read_charts("snowplow-web", tmp_path / REPORT_FILE, tmp_path)
    monkeypatch.setattr(validation, "family_charts", lambda family: broken if family.name == "snowplow-web" else [])
    problems = check_charts(project)
    assert len(problems) == len(DIALECTS) and all(problem in p for p in problems), problems
