"""`sluice playbook FILE`: one playbook, SQL Runner style (its flags and exit codes)."""

from __future__ import annotations

from pathlib import Path

import click

from sluice.cli.options import PATH, target_option, var_option
from sluice.config import load_project
from sluice.errors import ArgumentError
from sluice.families import project_renderer
from sluice.output import make_reporter
from sluice.render.renderer import Renderer
from sluice.render.variables import merge_variables, parse_var_assignments
from sluice.sqlrunner import lockfile
from sluice.sqlrunner.executor import RunOptions, run_playbook
from sluice.sqlrunner.playbook import load_playbook
from sluice.targets import make_target


@click.command()
@click.argument("file", type=PATH, required=False)
@target_option
@var_option
@click.option("--from-step", help="Start at this step.")
@click.option("--run-query", metavar="STEP::QUERY", help="Run this one query.")
@click.option("--dry-run", is_flag=True, help="Render and parse every query; touch no table (exit 5 on failure).")
@click.option("--fill-templates", is_flag=True, help="Print every rendered query instead of running it.")
@click.option("--show-query-output", is_flag=True, help="Print the rows queries return.")
@click.option("--sqlroot", type=PATH, help="Folder the playbook's query files are relative to.")
@click.option("--lock", "lock", type=PATH, help="Hold this lock file; kept if the run fails.")
@click.option("--soft-lock", type=PATH, help="Hold this lock file; removed however the run ends.")
@click.option("--check-lock", type=PATH, help="Exit 3 if this lock is held, else 0.")
@click.option("--delete-lock", type=PATH, help="Remove this lock file (exit 1 if absent).")
@click.pass_obj
def playbook(obj: dict, file: Path | None, target: str | None, vars_: tuple[str, ...], from_step: str | None,
             run_query: str | None, dry_run: bool, fill_templates: bool, show_query_output: bool,
             sqlroot: Path | None, lock: Path | None, soft_lock: Path | None, check_lock: Path | None,
             delete_lock: Path | None) -> None:
    """Run one playbook, SQL Runner style (its flags and exit codes)."""
    reporter = make_reporter()
    if check_lock:
        reporter.line(lockfile.check(check_lock))
        return
    if delete_lock:
        reporter.line(lockfile.delete(delete_lock))
        return
    if file is None:
        raise click.UsageError("missing playbook FILE")
    if lock and soft_lock:
        raise ArgumentError("--lock and --soft-lock are exclusive: give one lock file")
    project = load_project(obj["project_dir"])
    cli_vars = parse_var_assignments(vars_)
    book = load_playbook(file, cli_vars, Renderer(None), sqlroot, project.root)
    if target:
        targets = [project.target(target)]
    elif book.targets:
        targets = [make_target(name, settings, project.root, str(book.path))
                   for name, settings in book.targets.items()]
    else:
        targets = [project.target()]
    renderers = {t.dialect: project_renderer(project, t.dialect) for t in targets}
    variables = merge_variables(book.variables, project.vars, cli_vars)
    options = RunOptions(from_step, run_query, dry_run, fill_templates, show_query_output)
    # Only a lock this run took is ever removed: a dry run takes none, and must not delete
    # the lock of the run it is checking on when it fails.
    held = None if dry_run or fill_templates else lock or soft_lock
    if held:
        lockfile.acquire(held)
    try:
        run_playbook(book, targets, variables, options, reporter, renderers, project.root)
    except BaseException:
        if held and held == soft_lock:
            lockfile.release(held)
        raise
    finally:
        for t in targets:
            t.close()
    if held:
        lockfile.release(held)
