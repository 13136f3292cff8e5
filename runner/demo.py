"""`sluice demo`: the whole model on the embedded DuckDB, from nothing.

Generates a sample of Snowplow web events in a few batches, loads them one after another into
a fresh database under `.sluice/demo/`, runs every module after each batch, then reports what
was built and how long each module took.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from runner.config import Project
from runner.events.generate import GenerateConfig, generate
from runner.events.generate_writers import TsvFormat, batch_paths, write_batches
from runner.events.load import load_events
from runner.lifecycle import Lifecycle
from runner.modules import discover
from runner.output import Reporter
from runner.targets import QueryResult
from runner.templates import Renderer

DEMO_DIR = Path(".sluice") / "demo"
BUILTIN_ROOT = Path(__file__).resolve().parent.parent  # the folder holding playbooks/ and sql/
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


def run_demo(project: Project, reporter: Reporter, config: GenerateConfig) -> DemoResult:
    folder = project.root / DEMO_DIR
    if "base" not in discover(project):  # run outside a Sluice project: use the shipped modules
        project = Project(root=BUILTIN_ROOT)
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "events").mkdir(parents=True)
    demo = dataclasses.replace(project, targets={"demo": {"type": "duckdb", "path": str(folder / "demo.duckdb")}},
                               default_target="demo")
    result = DemoResult(folder)
    files = batch_paths(folder / "events", config.batches, "tsv")
    counts = write_batches(generate(config), files, TsvFormat())
    reporter.line(f"generated {sum(counts):,} events in {len(files)} batches under {folder / 'events'}")
    for number, file in enumerate(files, 1):
        loaded = load_events(demo, None, {}, file, "tsv", folder / "rejects.tsv", None)
        result.events_loaded += loaded.rows
        result.rejected += loaded.rejected
        started = time.monotonic()
        with demo.target() as target:
            Lifecycle(demo, target, {}, Reporter(_Discard())).catch_up()
        seconds = time.monotonic() - started
        result.batches.append((loaded.rows, seconds))
        reporter.line(f"batch {number}/{len(files)}: loaded {loaded.rows:,} events "
                      f"({loaded.rejected} rejected), modules caught up in {seconds:.1f}s")
    _collect(demo, result)
    return result


def _collect(demo: Project, result: DemoResult) -> None:
    with demo.target() as target:
        session = target.connect()
        elapsed = Renderer(target.dialect).render("{{ seconds_between('run_start_tstamp', 'run_end_tstamp') }}",
                                                  {}, "demo")
        for table in TABLES:
            result.rows[table] = session.fetch(f"SELECT COUNT(*) FROM {table}").rows[0][0]
        result.module_seconds = session.fetch(
            "SELECT module, COUNT(*) AS runs, SUM(rows_this_run) AS rows_processed, "
            f"ROUND(SUM({elapsed}), 2) AS seconds "
            "FROM derived.datamodel_metadata WHERE outcome = 'complete' "
            "GROUP BY module ORDER BY MIN(run_start_tstamp)")
        result.sample = session.fetch(
            "SELECT domain_sessionid, domain_userid, start_tstamp, page_views, engaged_time_in_s, "
            "first_page_urlpath, mkt_medium, refr_medium FROM derived.sessions "
            "ORDER BY page_views DESC, domain_sessionid LIMIT 5")


def report(result: DemoResult, reporter: Reporter, elapsed: float) -> None:
    reporter.rows("rows per table", QueryResult(["table", "rows"], list(result.rows.items())))
    if result.module_seconds:
        reporter.rows("time per module (all runs)", result.module_seconds)
    if result.sample:
        reporter.rows("sample sessions", result.sample)
    database = result.folder / "demo.duckdb"
    reporter.line(f"done in {elapsed:.1f}s: {result.events_loaded:,} events loaded, {result.rejected} rejected")
    reporter.line("next:")
    for hint in (
        f"  duckdb {database} \"SELECT * FROM derived.users LIMIT 10\"   (or any DuckDB client)",
        "  sluice graph                       the lifecycle of the modules",
        "  sluice generate --out events/ && sluice load events/ && sluice run --catch-up",
        "  sluice status                      backlog, last runs, high-water marks, locks",
        "  playbooks/custom/                  add a module of your own (README: Writing a custom module)",
    ):
        reporter.line(hint)


class _Discard:
    """The modules' per-query lines would drown the demo's summary."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
