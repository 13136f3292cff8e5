"""Benchmark `sluice load` against the floor of a bare bulk load of the same file.

    python bench/load.py [--events 200000] [--targets duckdb,postgres] [--record]

Generates one enriched TSV of N events with their contexts (`sluice generate --batches 1`), then
for each target, in a fresh database, one after the other in one sitting:
  (load)  `sluice load FILE`: every value checked and typed, the events and the four context
          tables written, rejects looked for;
  (floor) the same file into a table defined as atomic.events, and nothing else: DuckDB's
          read_csv with typed columns, PostgreSQL's COPY (text format) streamed from the client.
Each is a child process of its own, so its wall time and peak memory (wait4's ru_maxrss) are
its own. PostgreSQL's server memory is not counted. Read load/floor: absolute rows/s on a
shared machine move with its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sluice.config import LIFECYCLE_DEFAULTS, load_project  # noqa: E402
from sluice.events.snowplow.generate import GenerateConfig, generate  # noqa: E402
from sluice.events.snowplow.generate_writers import TsvFormat, write_batches  # noqa: E402
from sluice.events.snowplow.load import input_ddl  # noqa: E402
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, ATOMIC_FIELDS  # noqa: E402
from sluice.render.renderer import Renderer  # noqa: E402
from sluice.render.variables import merge_variables  # noqa: E402
from tests import pg  # noqa: E402

FLOOR_SCHEMA = "bench_floor"
DUCKDB_TYPES = {"string": "VARCHAR", "timestamp": "TIMESTAMP", "integer": "BIGINT", "double": "DOUBLE",
                "boolean": "BOOLEAN", "decimal": "DECIMAL(18, 2)"}


@dataclass
class Run:
    seconds: float
    peak_mb: float


@dataclass
class LoadResult:
    target: str
    rows: int
    load: Run
    floor: Run


def child(args: list[str], cwd: Path) -> Run:
    """Run a Python child process to its end: wall seconds and peak resident memory."""
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: nobody reads a pipe during wait4
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, *args], cwd=cwd, stdout=log, stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        if os.waitstatus_to_exitcode(status) != 0:
            log.seek(0)
            raise SystemExit(f"{' '.join(args)} failed: {log.read().decode()[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024)


def make_project(folder: Path, name: str, settings: dict) -> Path:
    folder.mkdir()
    (folder / "sluice.yml").write_text(yaml.safe_dump({"default_target": name, "targets": {name: settings}}))
    return folder


def floor(project: Path, file: Path) -> None:
    """The bare load, run in a child: the input DDL rendered for FLOOR_SCHEMA, then one bulk
    load of the file into its events table."""
    config = load_project(project)
    target = config.target()
    variables = merge_variables(LIFECYCLE_DEFAULTS, config.vars, {"input_schema": FLOOR_SCHEMA})
    ddl = input_ddl(config, Renderer(target.dialect), variables)
    with target:
        session = target.connect()
        session.execute(ddl)
        columns = ", ".join(ATOMIC_COLUMNS)
        if target.dialect == "duckdb":
            spec = ", ".join(f"'{c}': '{DUCKDB_TYPES[kind]}'" for c, kind in ATOMIC_FIELDS)
            session.execute(f"INSERT INTO {FLOOR_SCHEMA}.events ({columns}) SELECT * FROM read_csv('{file}', "
                            f"columns = {{{spec}}}, delim = '\\t', quote = '', escape = '', header = false, "
                            f"auto_detect = false)")
            return
        with session.connection.cursor() as cursor, \
                cursor.copy(f"COPY {FLOOR_SCHEMA}.events ({columns}) FROM STDIN (FORMAT text, NULL '')") as copy, \
                open(file, "rb") as handle:
            while block := handle.read(1 << 20):
                copy.write(block)


def bench_target(name: str, settings: dict, file: Path, rows: int, workdir: Path) -> LoadResult:
    project = make_project(workdir / name, name, settings)
    load = child(["-m", "sluice", "load", str(file), "--rejects", str(workdir / f"{name}.rejects.tsv")], project)
    bare = child([str(Path(__file__).resolve()), "--floor", str(project), str(file)], project)
    return LoadResult(name, rows, load, bare)


def render(results: list[LoadResult], asked: int) -> str:
    now = datetime.now(timezone.utc)
    rows = results[0].rows if results else 0
    lines = [f"## {now:%Y-%m-%d %H:%M} UTC, `sluice load` of {rows:,} events against a bare load", "",
             f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, "
             f"Python {platform.python_version()}. Command: `python bench/load.py --events {asked}`.", "",
             "| target | load s | load rows/s | load peak MB | floor s | floor rows/s | floor peak MB | load/floor |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.target} | {r.load.seconds:.1f} | {r.rows / r.load.seconds:,.0f} | {r.load.peak_mb:.0f} "
                     f"| {r.floor.seconds:.1f} | {r.rows / r.floor.seconds:,.0f} | {r.floor.peak_mb:.0f} "
                     f"| {r.load.seconds / r.floor.seconds:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--targets", default="duckdb,postgres")
    parser.add_argument("--record", action="store_true", help="Append the figures to bench/RESULTS.md.")
    parser.add_argument("--floor", nargs=2, metavar=("PROJECT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        floor(Path(args.floor[0]), Path(args.floor[1]))
        return
    with tempfile.TemporaryDirectory(prefix="sluice-bench-load-") as tmp, pg.pg_server() as dsn:
        workdir = Path(tmp)
        file = workdir / "events.tsv"
        config = GenerateConfig(events=args.events, batches=1)  # as `sluice generate --batches 1` makes it
        rows = write_batches(generate(config), [file], TsvFormat())[0]
        results = []
        for name in args.targets.split(","):
            if name == "postgres":
                if dsn is None:
                    raise SystemExit("no PostgreSQL found (set SLUICE_TEST_PG_DSN)")
                with pg.fresh_database(dsn) as db:
                    results.append(bench_target(name, pg.target_settings(db), file, rows, workdir))
            else:
                results.append(bench_target(name, {"type": "duckdb", "path": ".sluice/bench.duckdb"}, file, rows,
                                            workdir))
    text = render(results, args.events)
    print(text)
    print(json.dumps([{"target": r.target, "rows": r.rows, "load_s": r.load.seconds, "load_peak_mb": r.load.peak_mb,
                       "floor_s": r.floor.seconds, "floor_peak_mb": r.floor.peak_mb} for r in results]))
    if args.record:
        with open(REPO / "bench" / "RESULTS.md", "a") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
