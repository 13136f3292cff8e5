"""The lifecycle commands of `sluice`: run, complete, backfill, status, graph, check, tick,
destroy. Each parses its arguments and calls the runner; errors go through `cli.main`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import click

from runner import graph, schedule
from runner.checks import check_project
from runner.cli import cli, target_option, var_option
from runner.config import load_project
from runner.lifecycle import Lifecycle
from runner.modules import discover, enabled, select
from runner.output import make_reporter
from runner.status import collect
from runner.templates import parse_var_assignments


@contextmanager
def lifecycle_for(obj: dict, target: str | None, vars_: tuple[str, ...], wait: float = 0.0,
                  names: tuple[str, ...] = ()) -> Iterator[Lifecycle]:
    project = load_project(obj["project_dir"])
    reporter = make_reporter()
    cli_vars = parse_var_assignments(vars_)
    with project.target(target) as tgt:
        yield Lifecycle(project, tgt, cli_vars, reporter, wait=wait, names=names)


def wait_option(f):
    return click.option("--wait", type=float, default=0.0, show_default=True,
                        help="Seconds to wait for a module's lock before exiting 3.")(f)


@cli.command()
@click.argument("modules", nargs=-1)
@target_option
@var_option
@wait_option
@click.option("--only", type=click.Choice(["main", "complete"]), help="Run only this phase.")
@click.option("--run-id", help="Share a run id with other invocations (an orchestrator's run).")
@click.option("--catch-up", is_flag=True, help="Repeat until a round stages nothing new (history in chunks).")
@click.pass_obj
def run(obj: dict, modules: tuple[str, ...], target: str | None, vars_: tuple[str, ...], wait: float,
        only: str | None, run_id: str | None, catch_up: bool) -> None:
    """Run modules' main and complete in lifecycle order (all enabled modules by default)."""
    with lifecycle_for(obj, target, vars_, wait, modules) as lc:
        plan = lc.plan(modules, only)
        lc.reporter.line(f"plan: {', '.join(f'{m.name}:{p}' for m, p in plan) or 'nothing to run'}")
        if catch_up:
            rounds = lc.catch_up(modules)
            lc.reporter.line(f"caught up after {rounds} round{'s' if rounds > 1 else ''}")
        else:
            lc.run(plan, run_id)


@cli.command()
@click.argument("module")
@target_option
@var_option
@wait_option
@click.pass_obj
def complete(obj: dict, module: str, target: str | None, vars_: tuple[str, ...], wait: float) -> None:
    """Replay one module's complete step (safe to repeat)."""
    with lifecycle_for(obj, target, vars_, wait, (module,)) as lc:
        lc.run(lc.plan([module], only="complete"))


@cli.command()
@click.argument("module")
@click.option("--since", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Replay history from this date.")
@target_option
@var_option
@wait_option
@click.pass_obj
def backfill(obj: dict, module: str, since, target: str | None, vars_: tuple[str, ...], wait: float) -> None:
    """Replay history into a (new) custom module's inputs, then run it."""
    with lifecycle_for(obj, target, vars_, wait, (module,)) as lc:
        lc.backfill(module, since.date() if not isinstance(since, date) else since)


@cli.command()
@target_option
@var_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def status(obj: dict, target: str | None, vars_: tuple[str, ...], as_json: bool) -> None:
    """Last runs, backlog per consumer, manifests' high-water marks, held locks."""
    with lifecycle_for(obj, target, vars_) as lc:
        report = collect(lc)
        if as_json:
            click.echo(json.dumps(report, indent=2, default=str))
        else:
            lc.reporter.status(report)


@cli.command("graph")
@click.option("--format", "fmt", type=click.Choice(graph.FORMATS), default="text", show_default=True)
@click.pass_obj
def graph_command(obj: dict, fmt: str) -> None:
    """Print the lifecycle graph of the enabled modules."""
    project = load_project(obj["project_dir"])
    click.echo(graph.render(graph.build_graph(enabled(project, discover(project))), fmt))


@cli.command()
@click.pass_obj
def check(obj: dict) -> None:
    """Validate the project before anything runs: modules, graph, playbooks, SQL on every dialect."""
    project = load_project(obj["project_dir"])
    problems = check_project(project)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.exceptions.Exit(7)
    click.echo("ok: the project is sound")


@cli.command()
@target_option
@var_option
@click.pass_obj
def tick(obj: dict, target: str | None, vars_: tuple[str, ...]) -> None:
    """Run every module whose cron schedule says it is due, each under its lock."""
    with lifecycle_for(obj, target, vars_) as lc:
        schedule.tick(lc)


@cli.command()
@click.argument("module")
@target_option
@var_option
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_obj
def destroy(obj: dict, module: str, target: str | None, vars_: tuple[str, ...], yes: bool) -> None:
    """Drop every table a module owns, its offsets and batches included."""
    project = load_project(obj["project_dir"])
    (chosen,) = select(discover(project), [module])
    owned = ", ".join(chosen.produces + chosen.scratch) or "no declared tables"
    if not yes:
        click.confirm(f"Destroy module '{module}' ({owned}) on target '{target or project.default_target}'?",
                      abort=True)
    with lifecycle_for(obj, target, vars_) as lc:
        lc.destroy(chosen)
