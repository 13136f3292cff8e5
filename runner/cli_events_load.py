"""`sluice load PATH`: Snowplow enriched events (TSV or CSV) into the input schema's tables."""

from __future__ import annotations

import click

from runner.cli import PATH, cli, target_option, var_option
from runner.config import load_project
from runner.events.load import FORMATS, load_events
from runner.output import make_reporter
from runner.templates import parse_var_assignments


@cli.command()
@click.argument("path", type=PATH)
@target_option
@var_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="Read the files as enriched TSV or as CSV with a header; auto goes by extension.")
@click.option("--rejects", type=PATH,
              help="Where rejected rows are listed (file, line, reason); default <PATH>.rejects.tsv.")
@click.pass_obj
def load(obj: dict, path, target: str | None, vars_: tuple[str, ...], fmt: str, rejects) -> None:
    """Load Snowplow enriched events from a file or a folder of .tsv/.csv files.

    Rows go to {input_schema}.events and the shredded context tables, created when missing;
    loading appends. Each file is one transaction; bad rows are rejected, never fatal."""
    project = load_project(obj["project_dir"])
    reporter = make_reporter()
    summary = load_events(project, target, parse_var_assignments(vars_), path, fmt, rejects, reporter)
    reporter.line(summary.line())
