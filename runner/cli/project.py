"""The commands that make projects: `sluice init` and `sluice demo`."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import click
from click.core import ParameterSource

from sluice.cli.options import PATH
from sluice.errors import ArgumentError
from sluice.families import FAMILIES
from sluice.output import Reporter, make_reporter
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


DEMO_MODELS = ("snowplow-web", "rudderstack")
#: options that only one --model's demo reads, and that model
DEMO_ONLY = {"events": "snowplow-web", "users": "snowplow-web", "visitors": "rudderstack"}


@click.command()
@click.option("--model", type=click.Choice(DEMO_MODELS), default="snowplow-web", show_default=True,
              help="The model family to show: Snowplow's web model, or the RudderStack family.")
@click.option("--dir", "directory", type=PATH, default=None,
              help="The demo's project folder (made, or reset if an earlier demo made it); "
                   "default sluice-demo, or sluice-rudderstack-demo for --model rudderstack.")
@click.option("--events", type=click.IntRange(min=100), default=100_000, show_default=True,
              help="About how many events to generate. Snowplow only.")
@click.option("--batches", type=click.IntRange(1, 50), default=4, show_default=True,
              help="Batches to load one after another, running the modules after each.")
@click.option("--users", type=click.IntRange(min=1), default=2_000, show_default=True, help="Snowplow only.")
@click.option("--visitors", type=click.IntRange(min=1), default=2_000, show_default=True,
              help="Visitors of the shop. RudderStack only.")
@click.option("--days", type=click.IntRange(min=1), default=14, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.pass_context
def demo(ctx: click.Context, model: str, directory: Path | None, events: int, batches: int, users: int,
         visitors: int, days: int, seed: int) -> None:
    """Generate sample events (Snowplow web events, or RudderStack warehouse tables with
    --model rudderstack), load them in batches into a demo project on the embedded DuckDB, run
    every module after each batch, and show what was built."""
    for name, owner in DEMO_ONLY.items():
        if owner != model and ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None):
            raise ArgumentError(f"--{name} applies to --model {owner} only, not --model {model}")
    started = time.monotonic()
    reporter = make_reporter()
    if model == "rudderstack":
        _rudderstack_demo(directory or Path("sluice-rudderstack-demo"), reporter, started,
                          seed=seed, visitors=visitors, days=days, batches=batches)
        return
    # imported here: the generator and the loader are not needed by any other command
    from sluice.events.snowplow.generate import GenerateConfig
    from sluice.scaffold.demo import report, run_demo

    config = GenerateConfig(seed=seed, users=users, days=days, events=events, batches=batches)
    result = run_demo(directory or Path("sluice-demo"), reporter, config)
    report(result, reporter, time.monotonic() - started)


def _rudderstack_demo(directory: Path, reporter: Reporter, started: float, **settings: int) -> None:
    from sluice.events.rudderstack.generate import GenerateConfig
    from sluice.scaffold.demo_rudderstack import report_rudderstack, run_rudderstack_demo

    config = GenerateConfig(**settings)
    result = run_rudderstack_demo(directory, reporter, config)
    after = config.start + timedelta(days=config.days + 30)
    report_rudderstack(result, reporter, time.monotonic() - started, f"{after:%Y-%m-%d}")


COMMANDS = (init, demo)
