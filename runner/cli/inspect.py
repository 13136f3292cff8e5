"""The commands that look without changing anything: status, report, graph, check."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sluice.cli.options import PATH, target_option, var_option
from sluice.cli.run import project_for
from sluice.config import load_project
from sluice.lifecycle import graph
from sluice.lifecycle.modules import discover, enabled
from sluice.lifecycle.validation import check_project, declared_checks
from sluice.report.collect import DEFAULT_RUNS

#: `sluice check`'s status when the project is not sound: SQL Runner's "playbook invalid"
INVALID = 7


@click.command()
@target_option
@var_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def status(obj: dict, target: str | None, vars_: tuple[str, ...], as_json: bool) -> None:
    """Last runs, backlog per consumer, manifests' high-water marks, held locks."""
    with project_for(obj, target, vars_) as project:
        report = project.status().as_dict()
        if as_json:
            click.echo(json.dumps(report, indent=2, default=str))
        else:
            project.lifecycle.reporter.status(report)


@click.command()
@target_option
@var_option
@click.option("--out", type=PATH, help="Where to write the page (default: .sluice/report.html in the project).")
@click.option("--runs", type=click.IntRange(min=1), default=DEFAULT_RUNS, show_default=True,
              help="Runs of each module to show.")
@click.pass_obj
def report(obj: dict, target: str | None, vars_: tuple[str, ...], out: Path | None, runs: int) -> None:
    """Write one self-contained HTML page: run history, backlog, locks, data checks, and each
    enabled family's headline numbers."""
    from sluice.report import write_report  # pygal, for this command only

    with project_for(obj, target, vars_) as project:
        page = write_report(project, out or project.project.root / ".sluice" / "report.html", runs)
        project.lifecycle.reporter.line(f"wrote {page}")


@click.command("graph")
@click.option("--format", "fmt", type=click.Choice(graph.FORMATS), default="text", show_default=True)
@click.pass_obj
def graph_command(obj: dict, fmt: str) -> None:
    """Print the lifecycle graph of the enabled modules."""
    project = load_project(obj["project_dir"])
    click.echo(graph.render(graph.build_graph(enabled(project, discover(project))), fmt))


@click.command()
@click.pass_obj
def check(obj: dict) -> None:
    """Validate the project before anything runs: targets, modules, graph, playbooks, SQL on
    every dialect (the report's queries too)."""
    from sluice.report.validation import check_charts  # sqlglot, for this command only

    project = load_project(obj["project_dir"])
    problems = check_project(project) or check_charts(project)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.exceptions.Exit(INVALID)
    for module, phase, name, severity in declared_checks(project):
        click.echo(f"data check: module '{module}' {phase}: {name} ({severity})")
    click.echo("ok: the project is sound")


COMMANDS = (status, report, graph_command, check)
