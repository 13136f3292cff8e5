"""`sluice check` for the report: every headline chart of the enabled families, rendered and
parsed on every dialect, as the modules' SQL is, so a broken report query is found before a
report is written."""

from __future__ import annotations

import sqlglot
from sqlglot.errors import SqlglotError

from sluice.config import Project
from sluice.errors import SluiceError
from sluice.families import enabled_families, project_renderer
from sluice.lifecycle.modules import discover, enabled
from sluice.report.headlines import chart_sql, chart_variables
from sluice.report.spec import family_charts
from sluice.targets import DIALECTS


def check_charts(project: Project) -> list[str]:
    """One line per problem; none when every chart the report would draw renders and parses."""
    try:
        modules = enabled(project, discover(project))
        specs = [spec for family in enabled_families(project) for spec in family_charts(family)]
    except SluiceError as exc:
        return [str(exc)]
    builders = {table: module for module in modules.values() for table in module.tables}
    drawn = [spec for spec in specs if all(table in builders for table in spec.entry.reads)]
    problems = []
    for dialect in DIALECTS:
        renderer = project_renderer(project, dialect)
        for spec in drawn:
            try:
                variables = chart_variables(project, builders[spec.entry.reads[0]], {}, dialect)
                sqlglot.parse_one(chart_sql(renderer, spec, variables, project.root), read=dialect)
            except (SluiceError, SqlglotError) as exc:
                problems.append(f"report chart '{spec.key}' on {dialect}: {str(exc).splitlines()[0]}")
    return problems
