"""The commands that make projects: `sluice init` and `sluice demo`."""

from __future__ import annotations

import time
from pathlib import Path

import click

from sluice.cli.options import PATH
from sluice.families import FAMILIES
from sluice.output import make_reporter
from sluice.scaffold.init import init_project


@click.command()
@click.argument("directory", type=PATH)
@click.option("--model", "models", multiple=True, type=click.Choice(sorted(FAMILIES)),
              help="A model family to enable (repeatable; default snowplow-web).")
def init(directory: Path, models: tuple[str, ...]) -> None:
    """Make a new project folder: sluice.yml on the embedded DuckDB, empty playbooks/custom/
    and sql/custom/, the chosen model families enabled."""
    written = init_project(directory, models or ("snowplow-web",))
    reporter = make_reporter()
    for path in written:
        reporter.line(f"wrote {path}")
    reporter.line(f"next: cd {directory} && sluice check")


@click.command()
@click.option("--dir", "directory", type=PATH, default=Path("sluice-demo"), show_default=True,
              help="The demo's project folder (made, or reset if an earlier demo made it).")
@click.option("--events", type=click.IntRange(min=100), default=100_000, show_default=True,
              help="About how many events to generate.")
@click.option("--batches", type=click.IntRange(1, 50), default=4, show_default=True,
              help="Batches to load one after another, running the modules after each.")
@click.option("--users", type=click.IntRange(min=1), default=2_000, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=14, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def demo(directory: Path, events: int, batches: int, users: int, days: int, seed: int) -> None:
    """Generate sample Snowplow events, load them in batches into a demo project on the
    embedded DuckDB, run every module after each batch, and show what was built."""
    # imported here: the generator and the loader are not needed by any other command
    from sluice.events.snowplow.generate import GenerateConfig
    from sluice.scaffold.demo import report, run_demo

    started = time.monotonic()
    reporter = make_reporter()
    config = GenerateConfig(seed=seed, users=users, days=days, events=events, batches=batches)
    result = run_demo(directory, reporter, config)
    report(result, reporter, time.monotonic() - started)


COMMANDS = (init, demo)
