"""`sluice demo --model rudderstack`: the RudderStack family on the embedded DuckDB, from nothing.

Makes a project folder the way `sluice init --model rudderstack` does (or resets one an
earlier demo made), generates a shop's RudderStack warehouse tables in a few load batches
(`sluice generate --source rudderstack`), loads them one after another, runs every module
after each batch, and reports what was built. The folder stays a working project.

Loading goes through one seam, `rudderstack_loader()`: `sluice load --source rudderstack`'s
`load_rudderstack(project, target, vars, path, rejects, reporter)` once that is installed,
else `standin_load`, a plain CSV load with the same signature, enough for the demo and the
benchmark (no checks, no rejects, no rudder_discards), to be deleted when the loader lands.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sluice.config import LIFECYCLE_DEFAULTS, Project, load_project
from sluice.events.rudderstack.generate import GenerateConfig, generate
from sluice.events.rudderstack.schema import TABLES
from sluice.events.rudderstack.writer import write_batches
from sluice.families import project_renderer
from sluice.lifecycle.engine import Lifecycle
from sluice.output import Reporter, quiet_reporter
from sluice.render.identifiers import check_identifier
from sluice.render.variables import merge_variables
from sluice.scaffold.demo import DemoResult, collect_figures, prepare_folder, report
from sluice.targets import Session

TABLES_SHOWN = ("rudder.tracks", "rudder.pages", "rudder.identifies", "rudder.aliases", "derived.dbt_aliases_mapping",
                "derived.dbt_session_tracks", "derived.rs_activity_session_tracks", "derived.rs_session_metrics",
                "derived.rs_daily_metrics")


def rudderstack_loader() -> Callable[..., Any]:
    """The function that loads a folder of RudderStack CSVs: the loader's when installed."""
    try:
        from sluice.events.rudderstack.load import load_rudderstack
    except ImportError:  # `sluice load --source rudderstack` is not installed yet: the stand-in
        return standin_load
    return load_rudderstack


def run_rudderstack_demo(folder: Path, reporter: Reporter, config: GenerateConfig) -> DemoResult:
    prepare_folder(folder, "rudderstack", "rudder")
    project = load_project(folder)
    result = DemoResult(folder)
    counts = write_batches(generate(config), folder / "rudder", config.batches)
    reporter.line(f"generated {sum(sum(n) for n in counts.values()):,} rows of {len(counts)} tables in "
                  f"{config.batches} batches under {folder / 'rudder'}")
    load = rudderstack_loader()
    for number, batch in enumerate(sorted((folder / "rudder").glob("batch-*")), 1):
        loaded = load(project, None, {}, batch, folder / "rudder" / "rejects.tsv", None)
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
        "  sluice graph                       the lifecycle of the modules",
        *((more,) if rudderstack_loader() is not standin_load else ()),
        "  duckdb .sluice/sluice.duckdb \"SELECT * FROM derived.rs_daily_metrics ORDER BY date\"   "
        "(or any DuckDB client)",
        "  playbooks/custom/                  add a module of your own (see the README there)",
    )
    report(result, reporter, elapsed, hints, "daily metrics (rs_daily_metrics)", "rows")


# -- the stand-in loader -------------------------------------------------------------------
@dataclass
class StandinSummary:
    rows: int = 0
    rejected: int = 0
    tables: dict[str, int] = field(default_factory=dict)


def standin_load(project: Project, target_name: str | None, cli_vars: dict[str, Any], path: Path,
                 rejects_path: Path | None = None, reporter: Reporter | None = None) -> StandinSummary:
    """Every `<table>.csv` of the batch folder `path` into rs_schema, each file in a transaction:
    a table is created with the columns its first file brings, typed as schema.py says; a later
    file's new columns are added; rows without uuid_ts get the warehouse's clock, once per call."""
    variables = merge_variables(LIFECYCLE_DEFAULTS, {"rs_schema": "rudder"}, project.vars, cli_vars)
    schema, entropy = check_identifier(variables["rs_schema"]), str(variables["entropy"])
    summary = StandinSummary()
    with project.target(target_name) as target:
        session = target.connect()
        renderer = project_renderer(project, target.dialect)
        session.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        stamp = session.fetch(renderer.render("SELECT {{ current_ts() }}", {}, "stamp")).rows[0][0]
        for file in sorted(path.glob("*.csv")):
            table = check_identifier(file.stem)
            with session.transaction():
                rows = _load_file(session, renderer, schema, table, entropy, file, stamp)
            summary.tables[table] = rows
            summary.rows += rows
    return summary


def _load_file(session: Session, renderer: Any, schema: str, table: str, entropy: str, file: Path,
               stamp: Any) -> int:
    header, _, body = file.read_bytes().partition(b"\n")
    columns = [check_identifier(c) for c in header.decode().strip().split(",")]
    records = body.count(b"\n")  # the generator's values hold no line break
    if not records:
        return 0
    wanted = [*columns, *(["uuid_ts"] if "uuid_ts" not in columns else [])]
    types = {c: renderer.render("{{ rs_type(kind) }}", {"kind": _kind(table, c)}, "type") for c in wanted}
    relation = f"{schema}.{table}{entropy}"
    have = {r[0] for r in session.fetch(f"SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                        f"'{schema}' AND table_name = '{table}{entropy}'").rows}
    if not have:
        session.execute(f"CREATE TABLE {relation} ({', '.join(f'{_q(c)} {types[c]}' for c in wanted)})")
    for column in (c for c in wanted if have and c not in have):
        session.execute(f"ALTER TABLE {relation} ADD COLUMN {_q(column)} {types[column]}")
    stage = f"rs_standin_{table}"  # one per table: a temporary table keeps its first columns
    session.target.stage_text(session, stage, columns, body, "csv", records)
    values = [_cast(_q(c), _kind(table, c), types[c]) for c in columns]
    if "uuid_ts" not in columns:
        values.append(f"CAST('{stamp:%Y-%m-%d %H:%M:%S.%f}' AS TIMESTAMP)")
    session.execute(f"INSERT INTO {relation} ({', '.join(map(_q, wanted))}) SELECT {', '.join(values)} "
                    f"FROM {stage}")
    return records


def _kind(table: str, column: str) -> str:
    known = TABLES.get(table)
    return known.kind(column) if known is not None and column in known.column_names else "string"


def _cast(column: str, kind: str, sql_type: str) -> str:
    """A staged text field as its column's type (timestamps are ISO-8601 with a Z)."""
    if kind == "string":
        return column
    if kind == "datetime":
        return f"CAST(REPLACE({column}, 'Z', '') AS {sql_type})"
    return f"CAST({column} AS {sql_type})"


def _q(name: str) -> str:
    return f'"{name}"'
