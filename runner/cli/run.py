"""The commands that run modules: run, complete, backfill, tick, destroy. Each is a thin layer
over `sluice.api.Sluice`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import click

from sluice.api import RunResult, Sluice
from sluice.cli.options import target_option, var_option, wait_option
from sluice.config import load_project
from sluice.errors import ArgumentError
from sluice.lifecycle.modules import discover, select
from sluice.output import Reporter, make_reporter
from sluice.render.variables import parse_var_assignments


@contextmanager
def project_for(obj: dict, target: str | None, vars_: tuple[str, ...], wait: float = 0.0) -> Iterator[Sluice]:
    """The project on a target, reporting to the terminal; disconnected when done."""
    project = Sluice(obj["project_dir"], target, parse_var_assignments(vars_), make_reporter(), wait)
    try:
        yield project
    finally:
        project.close()


@click.command()
@click.argument("modules", nargs=-1)
@target_option
@var_option
@wait_option
@click.option("--only", type=click.Choice(["main", "complete"]), help="Run only this phase.")
@click.option("--run-id", help="Share a run id with other invocations (an orchestrator's run).")
@click.option("--catch-up", is_flag=True, help="Repeat until a round stages nothing new (history in chunks).")
@click.option("--dry-run", is_flag=True, help="Render and parse every query of the plan; run nothing (exit 5 "
                                              "on failure).")
@click.option("--from-step", help="Start the one named module's main at this step.")
@click.option("--full-refresh", is_flag=True, help="Rebuild the modules (all by default) and every module "
                                                   "downstream from the retained input, then catch up.")
@click.pass_obj
def run(obj: dict, modules: tuple[str, ...], target: str | None, vars_: tuple[str, ...], wait: float,
        only: str | None, run_id: str | None, catch_up: bool, dry_run: bool, from_step: str | None,
        full_refresh: bool) -> None:
    """Run modules' main and complete in lifecycle order (all enabled modules by default)."""
    if from_step and len(modules) != 1:
        raise ArgumentError("--from-step needs exactly one module: the one whose main starts at that step")
    for flag, given in {"--catch-up": catch_up, "--full-refresh": full_refresh}.items():
        if given and (only or from_step):
            raise ArgumentError(f"{flag} runs whole rounds: it cannot be combined with --only or --from-step")
    with project_for(obj, target, vars_, wait) as project:
        plan = project.lifecycle.plan(modules, only)
        project.lifecycle.reporter.line(f"plan: {', '.join(f'{m.name}:{p}' for m, p in plan) or 'nothing to run'}")
        if dry_run:
            project.dry_run(modules, only)
            return
        started = time.monotonic()
        result = project.run(modules, only, catch_up, full_refresh, run_id, from_step)
        if full_refresh:
            project.lifecycle.reporter.line(f"rebuilt {', '.join(result.rebuilt)} from the retained input")
        elif catch_up:
            project.lifecycle.reporter.line(f"caught up after {result.rounds} round{'s' * (result.rounds > 1)}")
        report_runs(project.lifecycle.reporter, "run", result, started)


def report_runs(reporter: Reporter, command: str, result: RunResult, started: float) -> None:
    """The command's summary: each module run (datamodel_metadata's outcome, rows, seconds)
    and the command's own seconds since `started` (a `time.monotonic()`)."""
    runs = [{"module": r.module, "run_id": r.run_id, "outcome": r.outcome, "rows": r.rows,
             "seconds": None if r.seconds is None else round(r.seconds, 3)} for r in result.module_runs]
    seconds = time.monotonic() - started
    per_module = ", ".join(f"{r['module']} {r['rows'] or 0:,}" for r in runs)
    reporter.summary(command, f"{command}: {len(runs)} module run{'s' * (len(runs) != 1)}, {result.rows:,} rows"
                              f"{f' ({per_module})' if runs else ''} in {seconds:.2f}s",
                     module_runs=runs, rows=result.rows, seconds=round(seconds, 3), rounds=result.rounds,
                     rebuilt=list(result.rebuilt))


@click.command()
@click.argument("module")
@target_option
@var_option
@wait_option
@click.pass_obj
def complete(obj: dict, module: str, target: str | None, vars_: tuple[str, ...], wait: float) -> None:
    """Replay one module's complete step (safe to repeat)."""
    started = time.monotonic()
    with project_for(obj, target, vars_, wait) as project:
        report_runs(project.lifecycle.reporter, "complete", project.complete(module), started)


@click.command()
@click.argument("module")
@click.option("--since", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Replay history from this date.")
@target_option
@var_option
@wait_option
@click.pass_obj
def backfill(obj: dict, module: str, since: datetime, target: str | None, vars_: tuple[str, ...],
             wait: float) -> None:
    """Replay history into a (new) custom module's inputs, then run it."""
    started = time.monotonic()
    with project_for(obj, target, vars_, wait) as project:
        report_runs(project.lifecycle.reporter, "backfill", project.backfill(module, since.date()), started)


@click.command()
@target_option
@var_option
@click.pass_obj
def tick(obj: dict, target: str | None, vars_: tuple[str, ...]) -> None:
    """Run every module whose cron schedule says it is due, each under its lock."""
    with project_for(obj, target, vars_) as project:
        project.tick()


@click.command()
@click.argument("module")
@target_option
@var_option
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_obj
def destroy(obj: dict, module: str, target: str | None, vars_: tuple[str, ...], yes: bool) -> None:
    """Drop every table a module owns, its offsets and batches included."""
    project_file = load_project(obj["project_dir"])
    (chosen,) = select(discover(project_file), [module])
    owned = ", ".join(chosen.produces + chosen.scratch) or "no declared tables"
    if not yes:
        click.confirm(f"Destroy module '{module}' ({owned}) on target "
                      f"'{target or project_file.default_target}'?", abort=True)
    with project_for(obj, target, vars_) as project:
        project.destroy(module)


COMMANDS = (run, complete, backfill, tick, destroy)
