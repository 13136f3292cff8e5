"""`sluice demo --model rudderstack`: the RudderStack family on the embedded DuckDB, from nothing.

Makes a project folder the way `sluice init --model rudderstack` does (or resets one an
earlier demo made), generates a shop's RudderStack warehouse tables in a few load batches
(`sluice generate --source rudderstack`), loads them one after another, runs every module
through `sluice load --source rudderstack`'s loader, runs every module after each batch, and
reports what was built. The folder stays a working project.
"""

from __future__ import annotations

import time
from pathlib import Path

from sluice.config import load_project
from sluice.events.rudderstack.generate import GenerateConfig, generate
from sluice.events.rudderstack.load import load_rudderstack
from sluice.events.rudderstack.writer import write_batches
from sluice.lifecycle.engine import Lifecycle
from sluice.output import Reporter, quiet_reporter
from sluice.scaffold.demo import DemoResult, collect_figures, prepare_folder, report

TABLES_SHOWN = ("rudder.tracks", "rudder.pages", "rudder.identifies", "rudder.aliases", "derived.dbt_aliases_mapping",
                "derived.dbt_session_tracks", "derived.rs_activity_session_tracks", "derived.rs_session_metrics",
                "derived.rs_daily_metrics")


def run_rudderstack_demo(folder: Path, reporter: Reporter, config: GenerateConfig) -> DemoResult:
    prepare_folder(folder, "rudderstack", "rudder")
    project = load_project(folder)
    result = DemoResult(folder)
    counts = write_batches(generate(config), folder / "rudder", config.batches)
    reporter.line(f"generated {sum(sum(n) for n in counts.values()):,} rows of {len(counts)} tables in "
                  f"{config.batches} batches under {folder / 'rudder'}")
    for number, batch in enumerate(sorted((folder / "rudder").glob("batch-*")), 1):
        loaded = load_rudderstack(project, None, {}, batch, folder / "rudder" / "rejects.tsv", None)
        result.events_loaded += loaded.rows
        result.rejected += loaded.rejected
        started = time.monotonic()
        with project.target() as target:
            Lifecycle(project, target, {}, quiet_reporter()).open().catch_up()
        seconds = time.monotonic() - started
        result.batches.append((loaded.rows, seconds))
        reporter.line(f"batch {number}/{config.batches}: loaded {loaded.rows:,} rows ({loaded.rejected} rejected), "
                      f"modules caught up in {seconds:.1f}s")
    with project.target() as target:
        session = target.connect()
        collect_figures(project, target, session, result, TABLES_SHOWN)
        result.sample = session.fetch(
            'SELECT "date", dau, total_sessions, bounced_sessions, CAST(bounce_rate AS DECIMAL(6, 3)) AS bounce_rate, '
            "CAST(avg_session_length_s AS DECIMAL(12, 1)) AS avg_session_length_s "
            'FROM derived.rs_daily_metrics ORDER BY "date"')
        result.more.append(("sessions by channel of their first event", session.fetch(
            "SELECT channel, COUNT(*) AS sessions, "
            "CAST(AVG(CASE WHEN is_bounce THEN 1.0 ELSE 0.0 END) AS DECIMAL(6, 3)) AS bounce_rate "
            "FROM derived.rs_session_metrics GROUP BY channel ORDER BY COUNT(*) DESC, channel")))
    return result


def report_rudderstack(result: DemoResult, reporter: Reporter, elapsed: float, start: str) -> None:
    more = (f"  sluice generate --source rudderstack --out more/ --visitors 200 --batches 1 --seed 2 --start {start} "
            "&& sluice load --source rudderstack more/ && sluice run --catch-up")
    hints = (
        "  sluice status                      last runs, backlog, high-water marks, locks",
        "  sluice report                      the same and the headline numbers, as one HTML page",
        "  sluice graph                       the lifecycle of the modules",
        more,
        "  duckdb .sluice/sluice.duckdb \"SELECT * FROM derived.rs_daily_metrics ORDER BY date\"   "
        "(or any DuckDB client)",
        "  playbooks/custom/                  add a module of your own (see the README there)",
    )
    report(result, reporter, elapsed, hints, "daily metrics (rs_daily_metrics)", "rows")
