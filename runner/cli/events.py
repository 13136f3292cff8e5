"""The commands that bring events in: `sluice load` (files into the input tables) and
`sluice generate` (deterministic synthetic events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click
from click.core import ParameterSource

from sluice.cli.options import PATH, target_option, var_option
from sluice.config import load_project
from sluice.errors import ArgumentError, LoadError
from sluice.events.rudderstack import DEFAULT_VISITORS
from sluice.events.snowplow.load_read import FORMATS
from sluice.output import Reporter, make_reporter
from sluice.render.variables import parse_var_assignments

if TYPE_CHECKING:
    from sluice.events.growth import generate as growth
    from sluice.events.rudderstack import generate as rudderstack

SOURCES = ("snowplow", "rudderstack", "growth")


@click.command()
@click.argument("path", type=PATH)
@click.option("--source", type=click.Choice(SOURCES), default="snowplow", show_default=True,
              help="Whose data: Snowplow enriched events, RudderStack warehouse tables (CSV), or the "
                   "growth-analytics sessions and conversions (CSV).")
@target_option
@var_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="Read the files as enriched TSV or as CSV with a header; auto goes by extension. Snowplow only.")
@click.option("--rejects", type=PATH,
              help="Where rejected rows are listed (file, line, reason); default <PATH>.rejects.tsv.")
@click.pass_context
def load(ctx: click.Context, path, source: str, target: str | None, vars_: tuple[str, ...], fmt: str,
         rejects) -> None:
    """Load events from a file or a folder.

    Snowplow (the default): enriched events from .tsv/.csv files into {input_schema}.events
    and the shredded context tables. RudderStack: warehouse tables exported as CSV, one file per
    table (tracks.csv, pages.csv, order_completed.csv...), or a folder of batch folders, each
    loaded in name order, into {rs_schema} (default rudder); tables and columns are created as
    files bring them. Growth: sessions.csv and conversions.csv (or batch folders of them) into
    {growth_raw_schema} (default raw), each file one load batch; a row already loaded is not
    added again. Loading appends. Each file is one transaction; bad rows are rejected,
    never fatal."""
    _check_source_options(ctx, source)
    project = load_project(ctx.obj["project_dir"])
    reporter = make_reporter()
    variables = parse_var_assignments(vars_)
    # The loaders (and what they import) are for this command only: `sluice run` starts without them.
    if source == "rudderstack":
        from sluice.events.rudderstack.load import load_rudderstack

        summary = load_rudderstack(project, target, variables, path, rejects, reporter)
    elif source == "growth":
        from sluice.events.growth.load import load_growth

        summary = load_growth(project, target, variables, path, rejects, reporter)
    else:
        from sluice.events.snowplow.load import load_events

        summary = load_events(project, target, variables, path, fmt, rejects, reporter)
    reporter.summary("load", summary.line(), **{**asdict(summary), "seconds": round(summary.seconds, 3)})
    if summary.all_rejected:
        names = ", ".join(str(p) for p in summary.all_rejected)
        raise LoadError(f"every record of {names} was rejected (see {summary.rejects_file})")


T = TypeVar("T")
FRACTION = click.FloatRange(0.0, 1.0)
#: options that only some sources read, and those sources
SOURCE_ONLY = {"users": "snowplow or growth", "events": "snowplow", "fmt": "snowplow", "no_enrichments": "snowplow",
               "bot_fraction": "snowplow", "visitors": "rudderstack",
               "late_fraction": "snowplow or rudderstack", "duplicate_fraction": "snowplow or rudderstack"}


@click.command("generate")
@click.option("--source", type=click.Choice(SOURCES), default="snowplow", show_default=True,
              help="Whose data: Snowplow enriched events, RudderStack warehouse tables, or growth-analytics "
                   "sessions and conversions.")
@click.option("--out", "out_dir", type=PATH, required=True,
              help="Folder to write into: batch-0001.<format>… (snowplow), batch-0001/<table>.csv… (rudderstack).")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same bytes.")
@click.option("--users", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Snowplow: visitors (incl. bots); growth: users who visit (some register).")
@click.option("--visitors", type=click.IntRange(min=1), default=DEFAULT_VISITORS, show_default=True,
              help="Visitors of the shop. RudderStack only.")
@click.option("--days", type=click.IntRange(min=1), default=7, show_default=True, help="Days of events.")
@click.option("--events", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Approximate total (every user has at least one session). Snowplow only.")
@click.option("--batches", type=click.IntRange(1, 1000), default=4, show_default=True,
              help="Load batches (snowplow: files, rudderstack: folders), mostly by arrival time "
                   "(collector_tstamp, received_at).")
@click.option("--start", type=click.DateTime(["%Y-%m-%d"]), default="2024-01-01", show_default=True,
              help="First day of events (UTC).")
@click.option("--format", "fmt", type=click.Choice(["tsv", "csv"]), default="tsv", show_default=True,
              help="Enriched TSV, or CSV with one JSON column per context. Snowplow only.")
@click.option("--no-enrichments", is_flag=True,
              help="Leave out the IAB, UA parser and YAUAA contexts. Snowplow only.")
@click.option("--late-fraction", type=FRACTION, default=0.02, show_default=True,
              help="Snowplow: sessions sent more than 3 days late; RudderStack: sittings sent 1-4 days late "
                   "(offline device).")
@click.option("--duplicate-fraction", type=FRACTION, default=0.01, show_default=True,
              help="Events (calls) whose id is sent twice.")
@click.option("--bot-fraction", type=FRACTION, default=0.05, show_default=True,
              help="Users that are bots. Snowplow only.")
@click.pass_context
def generate_cmd(ctx: click.Context, source: str, out_dir: Path, seed: int, users: int, visitors: int, days: int,
                 events: int, batches: int, start, fmt: str, no_enrichments: bool, late_fraction: float,
                 duplicate_fraction: float, bot_fraction: float) -> None:
    """Generate sample data. Snowplow: web events with page views and pings, link clicks,
    transactions, bots, late and duplicated events, null session ids, and batches that arrive
    out of order. RudderStack: an e-commerce shop's tracks, pages, screens, identifies, aliases
    and event tables in load batches, with the incremental hazards (late and re-sent calls, late
    identities, shared devices, columns and tables appearing mid-history, …). Growth: marketing
    sessions and registrations in batch folders, with a late session, a corrected session and a
    re-sent file."""
    # The generators are imported here, not at the top: every other command would pay for them.
    from sluice.events.growth import generate as growth
    from sluice.events.rudderstack import generate as rudderstack
    from sluice.events.snowplow.generate import GenerateConfig, generate
    from sluice.events.snowplow.generate_writers import CsvFormat, TsvFormat, batch_paths, write_batches
    from sluice.events.snowplow.schema import CONTEXTS, WEB_PAGE

    _check_source_options(ctx, source)
    reporter = make_reporter()
    if source == "growth":
        _generate_growth(reporter, out_dir, _config(growth.GenerateConfig, seed=seed, users=users, days=days,
                                                    batches=batches, start=start.date()))
        return
    if source == "rudderstack":
        _generate_rudderstack(reporter, out_dir, _config(
            rudderstack.GenerateConfig, seed=seed, visitors=visitors, days=days, batches=batches, start=start.date(),
            late_fraction=late_fraction, duplicate_fraction=duplicate_fraction))
        return
    config = _config(GenerateConfig, seed=seed, users=users, days=days, events=events, batches=batches,
                     start=start.date(), late_fraction=late_fraction, duplicate_fraction=duplicate_fraction,
                     bot_fraction=bot_fraction, enrichments=not no_enrichments)
    stale = _stale_batch_files(out_dir, batches, fmt)
    sessions: set[str | None] = set()
    out_dir.mkdir(parents=True, exist_ok=True)
    form = TsvFormat() if fmt == "tsv" else CsvFormat(CONTEXTS if config.enrichments else (WEB_PAGE,))
    counts = write_batches(_counting(generate(config), sessions), batch_paths(out_dir, batches, fmt), form)
    reporter.line(f"generated {sum(counts):,} events, {users:,} users, {len(sessions):,} sessions "
                  f"in {batches} {fmt} file{'s' if batches > 1 else ''} under {out_dir}")
    if stale:
        reporter.line(f"note: {len(stale)} other batch file(s) in {out_dir} are from an earlier run: "
                      f"{', '.join(p.name for p in stale[:3])}{'…' if len(stale) > 3 else ''}")


def _check_source_options(ctx: click.Context, source: str) -> None:
    """An option another source reads, given on the command line, is an error rather than ignored."""
    for name, owner in SOURCE_ONLY.items():
        if source not in owner.split(" or ") and ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, None):
            option = next(p for p in ctx.command.params if p.name == name).opts[0]
            raise ArgumentError(f"{option} applies to --source {owner} only, not --source {source}")


def _config(config_class: type[T], **settings: object) -> T:
    try:
        return config_class(**settings)
    except ValueError as exc:
        raise ArgumentError(str(exc)) from exc


def _generate_rudderstack(reporter: Reporter, out_dir: Path, config: rudderstack.GenerateConfig) -> None:
    from sluice.events.rudderstack import generate as rudderstack
    from sluice.events.rudderstack import writer as rudderstack_writer

    stale = _stale_batch_folders(out_dir, config.batches)
    generation = rudderstack.generate(config)
    counts = rudderstack_writer.write_batches(generation, out_dir, config.batches)
    per_table = ", ".join(f"{table} {sum(n):,}" for table, n in counts.items())
    reporter.line(f"generated {sum(sum(n) for n in counts.values()):,} rows ({per_table}), "
                  f"{config.visitors:,} visitors, {config.batches} batch folder{'s' if config.batches > 1 else ''} "
                  f"under {out_dir}")
    if generation.missing_hazards:
        reporter.line(f"note: too small a run for these hazards: {', '.join(generation.missing_hazards)}")
    if stale:
        reporter.line(f"note: {len(stale)} other batch folder(s) in {out_dir} are from an earlier run: "
                      f"{', '.join(p.name for p in stale[:3])}{'…' if len(stale) > 3 else ''}")


def _generate_growth(reporter: Reporter, out_dir: Path, config: growth.GenerateConfig) -> None:
    from sluice.events.growth import generate as growth

    generation = growth.generate(config)
    folders, sessions, conversions = growth.write_batches(generation, out_dir)
    reporter.line(f"generated {sessions:,} sessions and {conversions:,} registrations of {config.users:,} users "
                  f"in {folders} batch folders under {out_dir} (the last re-sends the first's sessions.csv)")
    if generation.missing_hazards:
        reporter.line(f"note: too small a run for these hazards: {', '.join(generation.missing_hazards)}")


def _stale_batch_folders(out_dir: Path, batches: int) -> list[Path]:
    from sluice.events.rudderstack import writer as rudderstack_writer

    if not out_dir.is_dir():
        return []
    ours = {rudderstack_writer.batch_dir(out_dir, b) for b in range(batches)}
    return sorted(p for p in out_dir.glob("batch-*") if p.is_dir() and p not in ours)


def _counting(pairs: Iterator[tuple[int, dict]], sessions: set[str | None]) -> Iterator[tuple[int, dict]]:
    for batch, event in pairs:
        sessions.add(event["domain_sessionid"])
        yield batch, event
    sessions.discard(None)


def _stale_batch_files(out_dir: Path, batches: int, fmt: str) -> list[Path]:
    from sluice.events.snowplow.generate_writers import batch_paths

    if not out_dir.is_dir():
        return []
    ours = set(batch_paths(out_dir, batches, fmt))
    return sorted(p for p in out_dir.glob("batch-*.*") if p.suffix in (".tsv", ".csv") and p not in ours)


COMMANDS = (load, generate_cmd)
