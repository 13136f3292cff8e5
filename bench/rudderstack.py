"""Benchmark the RudderStack family, DuckDB and PostgreSQL side by side, and record it in RESULTS.md.

    python bench/rudderstack.py [--visitors 72000] [--days 30] [--targets duckdb,postgres] [--share 0.01] [--record]

`sluice generate --source rudderstack` data (about 14 tracks and pages per visitor: 72,000
visitors make about 1M tracks+pages rows, 1.9M rows in all tables), cut by arrival into the
newer rows, as close to 1% of the tracks and pages before them as FINE slices of arrival time
allow, and the history before them in SLICES load batches. For each target, in a fresh
database:
  (a) full run: the history loaded batch by batch, then `sluice run --catch-up`;
  (b) incremental run: the newer rows loaded, then one `sluice run` (on PostgreSQL once
      autovacuum has finished with what the full run wrote, as an hourly run would find it);
      REPEATS times, each from the same saved state (the database copied once the newer rows
      are loaded, and copied back before each next sample, each copy flushed to disk first),
      and the median reported: one sample of a few seconds on a shared machine has varied by a
      third from run to run;
  (c) one `sluice run` with nothing new, after the last (b), REPEATS times (median);
  (d) the floor: a plain scan of the newer tracks and pages (every column, by uuid_ts).
On DuckDB the project runs two modules at once (`parallel_modules: 2`, docs/operators.md).
The feature snapshots are dated the history's last day (`features_as_of`), as a daily job
run the next morning dates them: the newer rows are then late data for that one snapshot.
(Left to its default, the as-of date is yesterday's real date, years after the generated
history, and every newer row would be late for each of the seven retained snapshots.)
Every run is a `sluice` process of its own (wall time and peak memory its own); per-module
seconds (main and complete) come from the run's own `--json` events. Loading goes through
`sluice load --source rudderstack`'s loader and is not part of the ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import psycopg
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.run import Phase, TargetResult, autovacuum_settled, server_description, timed_run  # noqa: E402
from sluice.config import load_project  # noqa: E402
from sluice.events.rudderstack.generate import GenerateConfig, generate  # noqa: E402
from sluice.events.rudderstack.load import load_rudderstack  # noqa: E402
from sluice.events.rudderstack.writer import write_batches  # noqa: E402
from tests import pg  # noqa: E402
from tests.integration.rudder import MODULES  # noqa: E402

SLICES = 200  # load batches of history; the newer rows arrive after them, in one more
FINE = 10  # generated slices of arrival time per load batch: where the newer rows can be cut
SHARE = 0.01  # the newer tracks and pages, as a share of those before them
ACTIVITY = ("tracks", "pages")
#: the project's parallel_modules: two lanes of modules after rs_identity on DuckDB; one on
#: PostgreSQL, where two measured slower (docs/operators.md)
PARALLEL = {"duckdb": 2, "postgres": 1}
REPEATS = 3  # samples of (b) and of (c); the median is the figure


class DuckDBCopy:
    """The project's DuckDB file and its write-ahead log (if the closing checkpoint left one),
    saved and put back between samples. Each copy is flushed to disk before the next sample:
    otherwise the kernel writes the 2.8 GB back while the sample runs (1.2 s of it was still
    pending right after a copy here), and the run's commits wait behind it."""

    def __init__(self, database: Path):
        wal = database.with_name(database.name + ".wal")
        self.files = [(database, database.with_name("saved.duckdb")), (wal, database.with_name("saved.duckdb.wal"))]

    def save(self) -> None:
        for live, saved in self.files:
            if live.exists():
                shutil.copyfile(live, saved)
        os.sync()

    def restore(self) -> None:
        for live, saved in self.files:
            live.unlink(missing_ok=True)
            if saved.exists():
                shutil.copyfile(saved, live)
        os.sync()


class PostgresCopy:
    """The bench's PostgreSQL database, saved as a template and created again from it between
    samples (FILE_COPY: a checkpoint and a copy of the files, not every page through the WAL).
    The copy starts with empty activity statistics, so no autovacuum wakes in it mid-sample."""

    def __init__(self, admin_dsn: str, dbname: str):
        self.admin_dsn, self.dbname, self.saved = admin_dsn, dbname, f"{dbname}_saved"

    def _run(self, *statements: str) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def save(self) -> None:
        self._run(f'CREATE DATABASE "{self.saved}" TEMPLATE "{self.dbname}" STRATEGY FILE_COPY')

    def restore(self) -> None:
        self._run(f'DROP DATABASE "{self.dbname}" WITH (FORCE)',
                  f'CREATE DATABASE "{self.dbname}" TEMPLATE "{self.saved}" STRATEGY FILE_COPY')

    def drop(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.saved}" WITH (FORCE)')


@dataclass
class BenchTarget:
    """What the bench needs of one target: its sluice.yml settings, the saved state of a
    project on it, and what to wait for after the full run (None: nothing)."""

    settings: dict
    saved_state: Callable[[Path], DuckDBCopy | PostgresCopy]
    settle: Callable[[Path], float] | None = None


@contextmanager
def duckdb_target(dsn: str | None) -> Iterator[BenchTarget]:
    path = ".sluice/bench.duckdb"
    yield BenchTarget({"type": "duckdb", "path": path}, lambda project: DuckDBCopy(project / path))


@contextmanager
def postgres_target(dsn: str | None) -> Iterator[BenchTarget]:
    """A fresh database; after the full run, autovacuum is left to finish with what it wrote,
    as an hourly run would find it."""
    if dsn is None:
        raise SystemExit("no PostgreSQL found (set SLUICE_TEST_PG_DSN)")
    with pg.fresh_database(dsn) as db:
        settings = pg.target_settings(db)
        saved = PostgresCopy(dsn, settings["dbname"])
        try:
            yield BenchTarget(settings, lambda project: saved, settle=autovacuum_settled)
        finally:
            saved.drop()


TARGETS = {"duckdb": duckdb_target, "postgres": postgres_target}


def median_of(result: TargetResult, key: str, run: Callable[[], Phase],
              before_each: Callable[[], None] | None = None) -> None:
    """Run a phase REPEATS times (`before_each` from the second on) and keep the median sample."""
    samples = []
    for i in range(REPEATS):
        if i and before_each:
            before_each()
        samples.append(run())
    result.samples[key] = [p.seconds for p in samples]
    result.phases[key] = sorted(samples, key=lambda p: p.seconds)[len(samples) // 2]


def newer_from(per_slice: list[int], share: float = SHARE) -> int:
    """The first slice of the newer rows: the newest slices whose tracks and pages come closest
    to `share` of those before them (a slice is a stretch of time, and the night's hold few)."""
    def error(cut: int) -> float:
        return abs(sum(per_slice[cut:]) / max(1, sum(per_slice[:cut])) - share)
    return min(range(1, len(per_slice)), key=error)


def write_load_batches(config: GenerateConfig, out_dir: Path, share: float = SHARE) -> dict[str, list[int]]:
    """Generate `config` (FINE slices per load batch) into SLICES load batches of history and
    one of the newer rows; return the rows per table and load batch. The generator is
    deterministic, so a first pass counts the rows and the second writes them."""
    per_slice = [0] * config.batches
    for piece, table, _ in generate(config):
        if table in ACTIVITY:
            per_slice[piece] += 1
    cut = newer_from(per_slice, share)
    return write_batches(((SLICES if piece >= cut else piece * SLICES // cut, table, row)
                          for piece, table, row in generate(config)), out_dir, SLICES + 1)


def load(project: Path, batches: list[Path]) -> Phase:
    started = time.monotonic()
    config = load_project(project)
    for batch in batches:
        load_rudderstack(config, None, {}, batch, project / "rejects.tsv", None)
    return Phase(time.monotonic() - started, 0.0)


def last_load(project: Path) -> datetime:
    with load_project(project).target() as target:
        return target.connect().fetch("SELECT MAX(uuid_ts) FROM rudder.tracks").rows[0][0]


def scan_floor(project: Path, after: datetime) -> Phase:
    """Read every column of the tracks and pages loaded after `after`: what any model must do."""
    started = time.monotonic()
    with load_project(project).target() as target:
        session = target.connect()
        for table in ACTIVITY:
            columns = [r[0] for r in session.fetch(
                f"SELECT column_name FROM information_schema.columns WHERE table_schema = 'rudder' "
                f"AND table_name = '{table}'").rows]
            widest = ", ".join(f'MAX(LENGTH(CAST("{c}" AS VARCHAR)))' for c in columns)
            session.fetch(f"SELECT COUNT(*), {widest} FROM rudder.{table} "
                          f"WHERE uuid_ts > CAST('{after:%Y-%m-%d %H:%M:%S.%f}' AS TIMESTAMP)")
    return Phase(time.monotonic() - started, 0.0)


def bench_target(name: str, target: BenchTarget, history: list[Path], newer: Path, workdir: Path,
                 as_of: date) -> TargetResult:
    project = workdir / name
    project.mkdir()
    (project / "sluice.yml").write_text(yaml.safe_dump({"default_target": name, "targets": {name: target.settings},
                                                        "models": ["rudderstack"], "parallel_modules": PARALLEL[name],
                                                        "vars": {"features_as_of": as_of.isoformat()}}))
    result = TargetResult(name)
    result.load = load(project, history)
    result.phases["a_full"] = timed_run(project, "--catch-up")
    if target.settle is not None:
        result.settle_wait = target.settle(project)
    history_loaded = last_load(project)
    load(project, [newer])
    saved = target.saved_state(project)
    saved.save()
    median_of(result, "b_incremental", lambda: timed_run(project), saved.restore)
    median_of(result, "c_nothing_new", lambda: timed_run(project))
    result.phases["d_scan_floor"] = scan_floor(project, history_loaded)
    return result


def render(results: list[TargetResult], visitors: int, days: int, counts: dict[str, list[int]], as_of: date,
           server: str, command: str) -> str:
    now = datetime.now(timezone.utc)
    activity = sum(sum(counts.get(t, [0])[:-1]) for t in ACTIVITY)
    newer = sum(counts.get(t, [0])[-1] for t in ACTIVITY)
    everything = sum(sum(n[:-1]) for n in counts.values())
    lines = [f"## {now:%Y-%m-%d %H:%M} UTC, RudderStack family, {activity:,} tracks+pages rows "
             f"(+{newer:,} incremental, {newer / activity:.1%})", "",
             f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, "
             f"Python {platform.python_version()}. Command: `{command}`. {visitors:,} visitors over {days} days, "
             f"{everything:,} rows in all tables "
             f"({SLICES} batches of history and one of the newer rows, loaded by `sluice "
             f"load --source rudderstack`); feature snapshots as of {as_of}, the history's last day; "
             f"parallel_modules {', '.join(f'{t} {n}' for t, n in PARALLEL.items())}. {server}. (b) and (c): "
             f"the median of {REPEATS} samples, (b) each from the same saved state; every sample in the last "
             "columns.", "",
             "| target | (a) full s | (b) incremental s | (c) nothing new s | (d) scan floor s | (b)/(a) | (c)/(a) |"
             " peak MB a/b/c | (b) samples s | (c) samples s |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        p = r.phases
        a, b, c, d = (p[k].seconds for k in ("a_full", "b_incremental", "c_nothing_new", "d_scan_floor"))
        peaks = "/".join(f"{p[k].peak_mb:.0f}" for k in ("a_full", "b_incremental", "c_nothing_new"))
        samples = [", ".join(f"{x:.2f}" for x in r.samples.get(k, [])) for k in ("b_incremental", "c_nothing_new")]
        lines.append(f"| {r.target} | {a:.1f} | {b:.2f} | {c:.2f} | {d:.3f} | {b / a:.1%} | {c / a:.1%} | {peaks} | "
                     f"{samples[0]} | {samples[1]} |")
    lines += ["", "Seconds per module, main and complete (from the run's `--json` events, the median samples; "
              "process start-up and rendering the plan excluded):",
              "", "| target | phase | " + " | ".join(MODULES) + " |", "|---|---|" + "---|" * len(MODULES)]
    for r in results:
        for key, phase in r.phases.items():
            if phase.modules:
                cells = " | ".join(f"{phase.modules.get(m, 0.0):.2f}" for m in MODULES)
                lines.append(f"| {r.target} | {key} | {cells} |")
    waits = ", ".join(f"{r.target} {r.settle_wait:.0f}s" for r in results if r.settle_wait)
    lines += ["", "Loading the history (not part of the ratios): " +
              ", ".join(f"{r.target} {r.load.seconds:.0f}s" for r in results if r.load) + "." +
              (f" Waited after (a) for autovacuum to finish (not part of the ratios): {waits}." if waits else ""), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=72_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--targets", default="duckdb,postgres")
    parser.add_argument("--share", type=float, default=SHARE,
                        help="The newer rows as a share of the history's tracks and pages (the goal is set at 0.01).")
    parser.add_argument("--record", action="store_true", help="Append the figures to bench/RESULTS.md.")
    args = parser.parse_args()
    names = args.targets.split(",")
    if set(names) - set(TARGETS):
        parser.error(f"--targets: known targets are {', '.join(TARGETS)}")
    with pg.pg_server() as dsn, tempfile.TemporaryDirectory(prefix="sluice-bench-rs-") as tmp:
        workdir = Path(tmp)
        config = GenerateConfig(visitors=args.visitors, days=args.days, batches=(SLICES + 1) * FINE)
        started = time.monotonic()
        counts = write_load_batches(config, workdir / "batches", args.share)
        print(f"generated in {time.monotonic() - started:.0f}s: "
              + ", ".join(f"{t} {sum(n):,}" for t, n in counts.items()), flush=True)
        *history, newer = sorted((workdir / "batches").glob("batch-*"))
        as_of = config.start + timedelta(days=args.days - 1)
        results = []
        server = server_description(dsn, names)
        for name in names:
            with TARGETS[name](dsn) as target:
                results.append(bench_target(name, target, history, newer, workdir, as_of))
            print(f"{name}: done", flush=True)
    command = " ".join(["python bench/rudderstack.py", *(a for a in sys.argv[1:] if a != "--record")])
    text = render(results, args.visitors, args.days, counts, as_of, server, command)
    print(text)
    if args.record:
        with open(REPO / "bench" / "RESULTS.md", "a") as handle:
            handle.write("\n" + text)


if __name__ == "__main__":
    main()
