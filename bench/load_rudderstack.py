"""Benchmark `sluice load --source rudderstack` against a bare load of the same files.

    python bench/load_rudderstack.py [--visitors 73000] [--days 3] [--targets duckdb,postgres] [--record]

Generates one batch of RudderStack tables (`sluice generate --source rudderstack --batches 1`)
and keeps `tracks.csv` and `pages.csv` (about 13.7 rows of them per visitor and day), then for
each target, in a fresh database, one after the other in one sitting:
  (load)  `sluice load --source rudderstack DIR`: tables created, every value checked and typed,
          uuid_ts kept, rejects and discards looked for;
  (floor) the same files into tables of the same columns and types, and nothing else: DuckDB's
          read_csv with typed columns, PostgreSQL's COPY (CSV) streamed from the client.
Each is a child process of its own, so its wall time and peak memory (wait4's ru_maxrss) are
its own; PostgreSQL's server memory is not counted. Read load/floor: absolute rows/s on a
shared machine move with its load.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from load import Run, child, make_project  # noqa: E402

from sluice.config import load_project  # noqa: E402
from sluice.events.rudderstack.generate import GenerateConfig, generate  # noqa: E402
from sluice.events.rudderstack.load import COLUMN_TYPE_KINDS  # noqa: E402
from sluice.events.rudderstack.load_write import declared_kind  # noqa: E402
from sluice.events.rudderstack.writer import write_batches  # noqa: E402
from sluice.render.renderer import Renderer  # noqa: E402
from tests import pg  # noqa: E402

TABLES = ("tracks", "pages")
FLOOR_SCHEMA = "bench_floor"


def floor(project: Path, folder: Path) -> None:
    """The bare load, run in a child: a table per file with the declared types (text for the
    others), then one bulk load of the file into it."""
    config = load_project(project)
    target = config.target()
    renderer = Renderer(target.dialect)
    with target:
        session = target.connect()
        session.execute(f"CREATE SCHEMA IF NOT EXISTS {FLOOR_SCHEMA}")
        for table in TABLES:
            path = folder / f"{table}.csv"
            with open(path, newline="") as handle:
                header = next(csv.reader(handle))
            kinds = {c: COLUMN_TYPE_KINDS[declared_kind(table, c) or "string"] for c in header}
            types = {c: renderer.render("{{ column_type(k) }}", {"k": k}, "type") for c, k in kinds.items()}
            session.execute(f"CREATE TABLE {FLOOR_SCHEMA}.{table} ("
                            + ", ".join(f'"{c}" {t}' for c, t in types.items()) + ")")
            if target.dialect == "duckdb":
                spec = ", ".join(f"'{c}': '{t}'" for c, t in types.items())
                session.execute(f"SET TimeZone = 'UTC'; INSERT INTO {FLOOR_SCHEMA}.{table} SELECT * FROM "
                                f"read_csv('{path}', columns = {{{spec}}}, header = true, auto_detect = false)")
                continue
            with session.connection.cursor() as cursor, \
                    cursor.copy(f"COPY {FLOOR_SCHEMA}.{table} FROM STDIN (FORMAT csv, HEADER true)") as copy, \
                    open(path, "rb") as handle:
                while block := handle.read(1 << 20):
                    copy.write(block)


def bench_target(name: str, settings: dict, folder: Path, workdir: Path) -> tuple[Run, Run]:
    project = make_project(workdir / name, name, settings)
    load = child(["-m", "sluice", "load", "--source", "rudderstack", str(folder), "--rejects",
                  str(workdir / f"{name}.rejects.tsv")], project)
    bare = child([str(Path(__file__).resolve()), "--floor", str(project), str(folder)], project)
    return load, bare


def render(results: list[tuple[str, Run, Run]], rows: int, command: str) -> str:
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    lines = [f"## {now:%Y-%m-%d %H:%M} UTC, `sluice load --source rudderstack` of {rows:,} tracks and pages "
             "rows against a bare load", "",
             f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, "
             f"Python {platform.python_version()}. Command: `{command}`.", "",
             "| target | load s | load rows/s | load peak MB | floor s | floor rows/s | floor peak MB | load/floor |",
             "|---|---|---|---|---|---|---|---|"]
    for target, load, bare in results:
        lines.append(f"| {target} | {load.seconds:.1f} | {rows / load.seconds:,.0f} | {load.peak_mb:.0f} "
                     f"| {bare.seconds:.1f} | {rows / bare.seconds:,.0f} | {bare.peak_mb:.0f} "
                     f"| {load.seconds / bare.seconds:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=73_000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--targets", default="duckdb,postgres")
    parser.add_argument("--files", type=Path, help="A folder holding tracks.csv and pages.csv already.")
    parser.add_argument("--record", action="store_true", help="Append the figures to bench/RESULTS.md.")
    parser.add_argument("--floor", nargs=2, metavar=("PROJECT", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(Path(args.floor[0]), Path(args.floor[1]))
        return
    with tempfile.TemporaryDirectory(prefix="sluice-bench-rsload-") as tmp, pg.pg_server() as dsn:
        workdir = Path(tmp)
        folder = args.files or _generate(workdir, args.visitors, args.days)
        rows = sum(_records(folder / f"{t}.csv") for t in TABLES)
        results = []
        for name in args.targets.split(","):
            if name == "postgres":
                if dsn is None:
                    raise SystemExit("no PostgreSQL found (set SLUICE_TEST_PG_DSN)")
                with pg.fresh_database(dsn) as db:
                    results.append((name, *bench_target(name, pg.target_settings(db), folder, workdir)))
            else:
                results.append((name, *bench_target(name, {"type": "duckdb", "path": ".sluice/bench.duckdb"},
                                                    folder, workdir)))
    command = "python bench/load_rudderstack.py " + (f"--files {args.files}" if args.files else
                                                     f"--visitors {args.visitors} --days {args.days}")
    text = render(results, rows, command)
    print(text)
    print(json.dumps([{"target": t, "rows": rows, "load_s": load.seconds, "load_peak_mb": load.peak_mb,
                       "floor_s": bare.seconds, "floor_peak_mb": bare.peak_mb} for t, load, bare in results]))
    if args.record:
        with open(REPO / "bench" / "RESULTS.md", "a") as handle:
            handle.write("\n" + text)


def _records(path: Path) -> int:
    with open(path, newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def _generate(workdir: Path, visitors: int, days: int) -> Path:
    """One batch, as `sluice generate --source rudderstack --batches 1` writes it; only tracks
    and pages are kept."""
    config = GenerateConfig(visitors=visitors, days=days, batches=1, start=date(2024, 1, 1))
    write_batches(generate(config), workdir / "gen", 1)
    folder = workdir / "tracks-pages"
    folder.mkdir()
    for table in TABLES:
        (workdir / "gen" / "batch-0001" / f"{table}.csv").rename(folder / f"{table}.csv")
    return folder


if __name__ == "__main__":
    main()
