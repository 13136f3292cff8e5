"""The `sluice` command: a click group, its one error boundary, and the commands attached to it.

Commands parse arguments and call the runner. Every error a user can cause is a SluiceError;
the group turns it into one line on stderr and the exit status SQL Runner's schedulers expect
(see `errors.py`). `--debug` shows the traceback instead. Anything else that escapes is a bug:
it is reported as one line too, naming it as such, with `--debug` for the details.

What a command reports goes through the `sluice.*` loggers (`sluice.output`); the group shows
it as `--quiet`, `--json` or the terminal ask (`sluice.output_handlers`), error line included.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sluice import __version__
from sluice.cli import events, inspect, playbook, project, run
from sluice.cli.options import PATH
from sluice.errors import SluiceError
from sluice.output import Reporter
from sluice.output_handlers import choose_mode, command_output

INTERRUPTED = 130


class SluiceGroup(click.Group):
    """Runs a command inside the error boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        with command_output(choose_mode(ctx.params.get("quiet", False), ctx.params.get("as_json", False))):
            return self._invoke_reporting_errors(ctx)

    def _invoke_reporting_errors(self, ctx: click.Context) -> Any:
        failed = Reporter().failed
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except SluiceError as exc:
            if ctx.params.get("debug"):
                raise
            failed(f"sluice: error: {exc}", exc.exit_code)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            failed("sluice: interrupted", INTERRUPTED)
            ctx.exit(INTERRUPTED)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            message = " ".join(str(exc).split()) or type(exc).__name__
            failed(f"sluice: internal error ({type(exc).__name__}): {message} "
                   "(run with --debug for the traceback, and please report it)", 1)
            ctx.exit(1)


@click.group(cls=SluiceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sluice")
@click.option("--project-dir", type=PATH, help="Folder holding sluice.yml (default: nearest above the cwd).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but the error line, if any.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per line on stdout per event, the command's summary last.")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path | None, debug: bool, quiet: bool, as_json: bool) -> None:
    """Sluice: incremental event modeling with SQL playbooks."""
    if quiet and as_json:
        raise click.UsageError("--quiet and --json are exclusive")
    ctx.obj = {"project_dir": project_dir, "debug": debug, "json": as_json}


for command in (*run.COMMANDS, *inspect.COMMANDS, *events.COMMANDS, *project.COMMANDS, playbook.playbook):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=sys.argv[1:] if argv is None else argv, prog_name="sluice")
