"""`sluice demo`: the whole web model on the embedded DuckDB, from nothing.

Makes a project folder the way `sluice init` does (or resets one an earlier demo made),
generates a sample of Snowplow web events in a few batches, loads them one after another,
runs every module after each batch, and reports what was built and how long each module took.
The folder stays a working project: `cd` there and every command sees the demo's data.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from sluice.config import PROJECT_FILE, Project, load_project
from sluice.errors import ConfigError
from sluice.events.snowplow.generate import GenerateConfig, generate
from sluice.events.snowplow.generate_writers import TsvFormat, batch_paths, write_batches
from sluice.events.snowplow.load import load_events
from sluice.families import project_renderer
from sluice.lifecycle.engine import Lifecycle
from sluice.output import Reporter, quiet_reporter
from sluice.scaffold.init import init_project
from sluice.targets import QueryResult, Target
from sluice.targets.base import Session

#: left by the demo in its folder, so a later demo may reset that folder and no other
MARKER = Path(".sluice") / "demo-project"
TABLES = ("atomic.events", "derived.page_views", "derived.sessions", "derived.users")


@dataclass
class DemoResult:
    folder: Path
    events_loaded: int = 0
    rejected: int = 0
    batches: list[tuple[int, float]] = field(default_factory=list)  # (events, seconds to catch up)
    rows: dict[str, int] = field(default_factory=dict)
    module_seconds: QueryResult | None = None
    sample: QueryResult | None = None
    #: more tables to show after the sample: (title, rows)
    more: list[tuple[str, QueryResult]] = field(default_factory=list)


def prepare_folder(folder: Path, model: str = "snowplow-web", data: str = "events") -> None:
    """A fresh demo project of `model` in `folder`, with an empty `data` folder for the sample:
    new, or one an earlier demo made (reset; made again for another model)."""
    if (folder / PROJECT_FILE).exists():
        if not (folder / MARKER).exists():
            raise ConfigError(f"{folder} holds a project the demo did not make; give the demo another folder")
        shutil.rmtree(folder / ".sluice")
        for earlier in ("events", "rudder"):
            shutil.rmtree(folder / earlier, ignore_errors=True)
        if load_project(folder).models != (model,):
            (folder / PROJECT_FILE).unlink()
    if not (folder / PROJECT_FILE).exists():
        init_project(folder, (model,))
    (folder / data).mkdir()
    (folder / MARKER).parent.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by sluice demo; a later demo resets this folder\n")


def run_demo(folder: Path, reporter: Reporter, config: GenerateConfig) -> DemoResult:
    prepare_folder(folder)
    project = load_project(folder)
    result = DemoResult(folder)
    files = batch_paths(folder / "events", config.batches, "tsv")
    counts = write_batches(generate(config), files, TsvFormat())
    reporter.line(f"generated {sum(counts):,} events in {len(files)} batches under {folder / 'events'}")
    for number, file in enumerate(files, 1):
        loaded = load_events(project, None, {}, file, "tsv", folder / "events" / "rejects.tsv", None)
        result.events_loaded += loaded.rows
        result.rejected += loaded.rejected
        started = time.monotonic()
        with project.target() as target:
            Lifecycle(project, target, {}, quiet_reporter()).open().catch_up()
        seconds = time.monotonic() - started
        result.batches.append((loaded.rows, seconds))
        reporter.line(f"batch {number}/{len(files)}: loaded {loaded.rows:,} events "
                      f"({loaded.rejected} rejected), modules caught up in {seconds:.1f}s")
    _collect(folder, result)
    return result


def _collect(folder: Path, result: DemoResult) -> None:
    project = load_project(folder)
    with project.target() as target:
        session = target.connect()
        collect_figures(project, target, session, result, TABLES)
        result.sample = session.fetch(
            "SELECT domain_sessionid, domain_userid, start_tstamp, page_views, engaged_time_in_s, "
            "first_page_urlpath, mkt_medium, refr_medium FROM derived.sessions "
            "ORDER BY page_views DESC, domain_sessionid LIMIT 5")


def collect_figures(project: Project, target: Target, session: Session, result: DemoResult,
                    tables: tuple[str, ...]) -> None:
    """Rows per table, and each module's runs, rows and seconds (from datamodel_metadata)."""
    elapsed = project_renderer(project, target.dialect).render(
        "{{ seconds_between('run_start_tstamp', 'run_end_tstamp') }}", {}, "demo")
    for table in tables:
        result.rows[table] = session.fetch(f"SELECT COUNT(*) FROM {table}").rows[0][0]
    result.module_seconds = session.fetch(
        "SELECT module, COUNT(*) AS runs, SUM(rows_this_run) AS rows_processed, "
        f"ROUND(SUM({elapsed}), 2) AS seconds "
        "FROM derived.datamodel_metadata WHERE outcome = 'complete' "
        "GROUP BY module ORDER BY MIN(run_start_tstamp)")


HINTS = (
    "  sluice status                      last runs, backlog, high-water marks, locks",
    "  sluice report                      the same and the headline numbers, as one HTML page",
    "  sluice graph                       the lifecycle of the modules",
    "  sluice generate --out more/ --seed 2 --start 2024-02-01 && sluice load more/ && sluice run --catch-up",
    "  duckdb .sluice/sluice.duckdb \"SELECT * FROM derived.users LIMIT 10\"   (or any DuckDB client)",
    "  playbooks/custom/                  add a module of your own (see the README there)",
)


def report(result: DemoResult, reporter: Reporter, elapsed: float, hints: tuple[str, ...] = HINTS,
           sample_title: str = "sample sessions", loaded: str = "events") -> None:
    reporter.rows("rows per table", QueryResult(["table", "rows"], list(result.rows.items())))
    if result.module_seconds:
        reporter.rows("time per module (all runs)", result.module_seconds)
    if result.sample:
        reporter.rows(sample_title, result.sample)
    for title, rows in result.more:
        reporter.rows(title, rows)
    reporter.line(f"done in {elapsed:.1f}s: {result.events_loaded:,} {loaded} loaded, {result.rejected} rejected")
    reporter.line(f"the demo is a project of its own; next, from there:\n  cd {result.folder}")
    for hint in hints:
        reporter.line(hint)
