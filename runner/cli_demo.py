"""`sluice demo`: the main job on the embedded DuckDB, with no arguments needed."""

from __future__ import annotations

import time

import click

from runner.cli import cli
from runner.config import load_project
from runner.demo import report, run_demo
from runner.events.generate import GenerateConfig
from runner.output import make_reporter


@cli.command()
@click.option("--events", type=click.IntRange(min=100), default=100_000, show_default=True,
              help="About how many events to generate.")
@click.option("--batches", type=click.IntRange(1, 50), default=4, show_default=True,
              help="Batches to load one after another, running the modules after each.")
@click.option("--users", type=click.IntRange(min=1), default=2_000, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=14, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.pass_obj
def demo(obj: dict, events: int, batches: int, users: int, days: int, seed: int) -> None:
    """Generate sample Snowplow events, load them in batches into a local DuckDB, run every
    module after each batch, and show what was built."""
    started = time.monotonic()
    reporter = make_reporter()
    config = GenerateConfig(seed=seed, users=users, days=days, events=events, batches=batches)
    result = run_demo(load_project(obj["project_dir"]), reporter, config)
    report(result, reporter, time.monotonic() - started)
