"""Each enabled family's headline numbers: the queries its `report.yml` declares, rendered
with the dialect macros and the variables of the module that builds what they read, run
against the warehouse."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sluice.config import Project
from sluice.families import enabled_families
from sluice.lifecycle.context import module_variables
from sluice.lifecycle.engine import Lifecycle
from sluice.lifecycle.modules import Module
from sluice.render.renderer import Renderer
from sluice.report.spec import ChartSpec, family_charts
from sluice.resources import display_path
from sluice.sqlrunner.playbook import load_playbook


@dataclass(frozen=True)
class ChartData:
    spec: ChartSpec
    #: the query's columns: the x axis first, then one per series
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    #: why there is nothing to draw yet (a table it reads is not built), else None
    missing: str | None = None


@dataclass(frozen=True)
class FamilyHeadlines:
    family: str
    description: str
    charts: tuple[ChartData, ...]


def family_headlines(lifecycle: Lifecycle) -> list[FamilyHeadlines]:
    """A section per enabled family that declares charts; a chart only when every table it
    reads is built by an enabled module."""
    builders = {table: module for module in lifecycle.modules.values() for table in module.tables}
    sections = []
    for family in enabled_families(lifecycle.project):
        charts = [chart_data(lifecycle, spec, [builders[t] for t in spec.entry.reads])
                  for spec in family_charts(family) if all(t in builders for t in spec.entry.reads)]
        if charts:
            sections.append(FamilyHeadlines(family.name, family.description, tuple(charts)))
    return sections


def chart_data(lifecycle: Lifecycle, spec: ChartSpec, builders: list[Module]) -> ChartData:
    """The chart's rows, or what is missing before it can have any."""
    project = lifecycle.project
    variables = chart_variables(project, builders[0], lifecycle.cli_vars, lifecycle.target.dialect)
    entropy = variables.get("entropy", "")
    relations = [f"{variables['output_schema']}.{table}{entropy}" for table in spec.entry.reads]
    absent = [relation for relation in relations if not lifecycle.state.exists(relation)]
    if absent:
        modules = ", ".join(dict.fromkeys(m.name for m in builders))
        return ChartData(spec, missing=f"not built yet: {', '.join(absent)} (run {modules})")
    result = lifecycle.session.fetch(chart_sql(lifecycle.renderer, spec, variables, project.root),
                                     label=f"report {spec.key}")
    return ChartData(spec, tuple(result.columns), tuple(tuple(row) for row in result.rows))


def chart_variables(project: Project, builder: Module, cli_vars: Mapping[str, Any],
                    dialect: str | None) -> dict[str, Any]:
    """What the chart's SQL sees: the variables of the module that builds the first table it
    reads, as that module's own SQL sees them (its schemas and `entropy` among them)."""
    book = load_playbook(builder.main, {}, Renderer(None), project_root=project.root)
    return module_variables(project, builder, book, cli_vars, dialect)


def chart_sql(renderer: Renderer, spec: ChartSpec, variables: Mapping[str, Any], project_root: Path) -> str:
    return renderer.render(spec.sql_path.read_text(), variables, display_path(spec.sql_path, project_root))
