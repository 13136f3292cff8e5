"""The `sluice` command: a click group, its one error boundary, and the commands attached to it.

Commands parse arguments and call the runner. Every error a user can cause is a SluiceError;
the group turns it into one line on stderr and the exit status SQL Runner's schedulers expect
(see `errors.py`). `--debug` shows the traceback instead. Anything else that escapes is a bug:
it is reported as one line too, naming it as such, with `--debug` for the details.
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
from sluice.secrets import redact

INTERRUPTED = 130


class SluiceGroup(click.Group):
    """Runs a command inside the error boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except SluiceError as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(f"sluice: error: {redact(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("sluice: interrupted", err=True)
            ctx.exit(INTERRUPTED)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            message = " ".join(str(exc).split()) or type(exc).__name__
            click.echo(f"sluice: internal error ({type(exc).__name__}): {redact(message)} "
                       "(run with --debug for the traceback, and please report it)", err=True)
            ctx.exit(1)


@click.group(cls=SluiceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sluice")
@click.option("--project-dir", type=PATH, help="Folder holding sluice.yml (default: nearest above the cwd).")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path | None, debug: bool) -> None:
    """Sluice: incremental event modeling with SQL playbooks."""
    ctx.obj = {"project_dir": project_dir, "debug": debug}


for command in (*run.COMMANDS, *inspect.COMMANDS, *events.COMMANDS, *project.COMMANDS, playbook.playbook):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=sys.argv[1:] if argv is None else argv, prog_name="sluice")
