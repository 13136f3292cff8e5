"""The `sluice` command. Commands parse arguments and call the runner; `main` is the one
error boundary that turns a SluiceError into one line and its exit status."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from runner import __version__, lockfile
from runner.config import load_project
from runner.errors import ArgumentError, SluiceError
from runner.executor import RunOptions, run_playbook
from runner.output import make_reporter
from runner.playbook import load_playbook
from runner.secrets import redact
from runner.targets import make_target
from runner.templates import Renderer, merge_variables, parse_var_assignments

PATH = click.Path(path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sluice")
@click.option("--project-dir", type=PATH, help="Folder holding sluice.yml (default: nearest above the cwd).")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path | None, debug: bool) -> None:
    """Sluice: incremental event modeling with SQL playbooks."""
    ctx.obj = {"project_dir": project_dir}


def target_option(f):
    return click.option("--target", "-t", help="Target from sluice.yml (default: its default_target).")(f)


def var_option(f):
    return click.option("--var", "vars_", multiple=True, metavar="KEY=VALUE",
                        help="Set a variable; repeatable, or k1=v1,k2=v2.")(f)


@cli.command()
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
    project = load_project(obj["project_dir"])
    cli_vars = parse_var_assignments(vars_)
    book = load_playbook(file, cli_vars, Renderer(None), sqlroot, project.root)
    if target:
        targets = [project.target(target)]
    elif book.targets:
        targets = [make_target(name, settings, project.root) for name, settings in book.targets.items()]
    else:
        targets = [project.target()]
    macro_dirs = [project.root / "sql" / "macros"]
    renderers = {t.dialect: Renderer(t.dialect, macro_dirs) for t in targets}
    variables = merge_variables(book.variables, project.vars, cli_vars)
    options = RunOptions(from_step, run_query, dry_run, fill_templates, show_query_output)
    if lock and soft_lock:
        raise ArgumentError("--lock and --soft-lock are exclusive: give one lock file")
    # Only a lock this run took is ever removed: a dry run takes none, and must not delete
    # the lock of the run it is checking on when it fails.
    held = None if dry_run or fill_templates else lock or soft_lock
    if held:
        lockfile.acquire(held)
    try:
        run_playbook(book, targets, variables, options, reporter, renderers)
    except BaseException:
        if held and held == soft_lock:
            lockfile.release(held)
        raise
    finally:
        for t in targets:
            t.close()
    if held:
        lockfile.release(held)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: one line per user error, with SQL Runner's exit statuses."""
    args = sys.argv[1:] if argv is None else argv
    try:
        status = cli.main(args=args, prog_name="sluice", standalone_mode=False)
    except SluiceError as exc:
        if "--debug" in args:
            raise
        click.echo(f"sluice: error: {redact(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("sluice: aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("sluice: interrupted", err=True)
        sys.exit(130)
    sys.exit(status if isinstance(status, int) else 0)

# The lifecycle commands register themselves on the group above.
from runner import cli_demo, cli_events_generate, cli_events_load, cli_lifecycle  # noqa: E402,F401
