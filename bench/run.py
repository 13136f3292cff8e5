"""Benchmark the web model, DuckDB and PostgreSQL side by side, and record it in RESULTS.md.

    python bench/run.py [--events 200000,1000000] [--targets duckdb,postgres] [--record]

With several sizes, each is measured in turn and a last table compares (b) and (c) across
them: an incremental run must cost what is new, not what is old, so they should stay flat.

For each target, in a fresh database:
  (a) full run: N events loaded, then `sluice run --catch-up` (30 days: several windows);
  (b) incremental run: 1% more events (the newest) loaded, then one `sluice run`;
  (c) one `sluice run` with no new events;
  (d) the floor: a plain scan of the new 1% of events (every column, by load time).
Every run is a `sluice` process of its own, so its wall time and peak memory (`wait4`) are its
own; per-module seconds (main and complete) come from the run's own `--json` events.
PostgreSQL is found as the tests find it (SLUICE_TEST_PG_DSN, Docker, or local server
binaries). Ratios are the figures to read: absolute times on a shared machine are noise.
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
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sluice.config import load_project  # noqa: E402
from sluice.events.snowplow.generate import GenerateConfig, generate  # noqa: E402
from sluice.events.snowplow.generate_writers import TsvFormat, batch_paths, write_batches  # noqa: E402
from tests import pg  # noqa: E402

MODULES = ("base", "page_views", "sessions", "users")
SLICES = 100  # the newest of SLICES + 1 generated batches is the 1% that arrives later


@dataclass
class Phase:
    seconds: float
    peak_mb: float
    modules: dict[str, float] = field(default_factory=dict)


@dataclass
class TargetResult:
    target: str
    load: Phase | None = None
    phases: dict[str, Phase] = field(default_factory=dict)
    #: seconds waited after the full run for autovacuum to finish (see `autovacuum_settled`)
    settle_wait: float = 0.0
    #: every sample's seconds of a phase measured more than once (its Phase is the median one)
    samples: dict[str, list[float]] = field(default_factory=dict)


#: autovacuum's launcher visits each database once a minute (autovacuum_naptime's default)
AUTOVACUUM_QUIET_SECONDS = 70


def autovacuum_settled(project: Path, limit: float = 1200.0) -> float:
    """Wait until no autovacuum worker has worked in the project's PostgreSQL database for
    longer than the launcher's nap, and return the seconds waited. A full run leaves millions
    of new rows that autovacuum then vacuums and analyses in the background; an incremental
    run started at once would share the machine with it (and set the hint bits it would have
    set), where an hourly schedule finds it done."""
    started = quiet_since = time.monotonic()
    with load_project(project).target() as target:
        session = target.connect()
        while time.monotonic() - quiet_since < AUTOVACUUM_QUIET_SECONDS and time.monotonic() - started < limit:
            busy = session.fetch("SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' "
                                 "AND datname = current_database()").rows[0][0]
            if busy:
                quiet_since = time.monotonic()
            time.sleep(2)
    return time.monotonic() - started


def server_description(dsn: str | None, targets: list[str]) -> str:
    """The PostgreSQL server a bench ran on, for its record: the version and the settings that
    move its figures (the throwaway cluster tests/pg.py starts runs with fsync off; docs/operators.md
    says why max_wal_size matters)."""
    if "postgres" not in targets:
        return "DuckDB only"
    if dsn is None:
        return "no PostgreSQL server"
    with psycopg.connect(dsn, autocommit=True) as connection:
        version, fsync, buffers, wal = connection.execute(
            "SELECT current_setting('server_version'), current_setting('fsync'), "
            "current_setting('shared_buffers'), current_setting('max_wal_size')").fetchone()
    origin = "SLUICE_TEST_PG_DSN" if os.environ.get("SLUICE_TEST_PG_DSN") else "a throwaway server (tests/pg.py)"
    return f"PostgreSQL {version} from {origin}: fsync {fsync}, shared_buffers {buffers}, max_wal_size {wal}"


def sluice(project: Path, *args: str) -> Phase:
    """One `sluice` process: its wall time, peak memory and, from its `--json` events, each
    module's seconds (main and complete)."""
    # Output goes to a file, not a pipe: nobody reads a pipe while wait4 waits, and a full one
    # would block the child forever.
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "sluice", "--json", *args], cwd=project, stdout=log,
                                stderr=log)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        log.seek(0)
        output = log.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"sluice {' '.join(args)} failed: {output[-2000:]}")
    return Phase(seconds, usage.ru_maxrss / 1024, module_seconds(output))


def module_seconds(output: str) -> dict[str, float]:
    """Seconds per module, main and complete together, from a run's `module_finished` events."""
    totals: dict[str, float] = {}
    for line in output.splitlines():
        event = json.loads(line) if line.startswith("{") else {}
        if event.get("event") == "module_finished":
            totals[event["module"]] = totals.get(event["module"], 0.0) + event["seconds"]
    return totals


def timed_run(project: Path, *flags: str) -> Phase:
    return sluice(project, "run", *flags)


def scan_floor(project: Path, since: datetime) -> Phase:
    """Read every column of the events loaded since `since`: what any model must at least do."""
    started = time.monotonic()
    with load_project(project).target() as target:
        target.connect().fetch(
            "SELECT COUNT(*), COUNT(DISTINCT domain_sessionid), MAX(LENGTH(CAST(contexts AS VARCHAR))), "
            "MAX(page_url), MAX(useragent), MAX(collector_tstamp) FROM atomic.events "
            f"WHERE load_tstamp >= CAST('{since:%Y-%m-%d %H:%M:%S.%f}' AS TIMESTAMP)")
    return Phase(time.monotonic() - started, 0.0)


def bench_target(name: str, settings: dict, files: list[Path], workdir: Path) -> TargetResult:
    """`files[:-1]` sit in one folder (the history), `files[-1]` is the newest 1%."""
    project = workdir / name
    project.mkdir()
    (project / "sluice.yml").write_text(yaml.safe_dump({"default_target": name, "targets": {name: settings},
                                                        "models": ["snowplow-web"]}))
    result = TargetResult(name)
    result.load = sluice(project, "load", str(files[0].parent))
    result.phases["a_full"] = timed_run(project, "--catch-up")  # history: several cadence windows
    newest_load = datetime.now(timezone.utc).replace(tzinfo=None)
    sluice(project, "load", str(files[-1]))
    result.phases["b_incremental"] = timed_run(project)
    result.phases["c_nothing_new"] = timed_run(project)
    result.phases["d_scan_floor"] = scan_floor(project, newest_load)
    return result


def render(results: list[TargetResult], events: int, total_events: int, loaded: int, server: str) -> str:
    now = datetime.now(timezone.utc)
    lines = [f"## {now:%Y-%m-%d %H:%M} UTC, {events:,} events (+{total_events - events:,} incremental)", "",
             f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, "
             f"Python {platform.python_version()}. Command: `python bench/run.py --events {events}`. {server}.", "",
             "| target | (a) full s | (b) incremental s | (c) nothing new s | (d) scan floor s | (b)/(a) | (b)/(d) |"
             " peak MB a/b/c |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        p = r.phases
        a, b, c, d = (p[k].seconds for k in ("a_full", "b_incremental", "c_nothing_new", "d_scan_floor"))
        peaks = "/".join(f"{p[k].peak_mb:.0f}" for k in ("a_full", "b_incremental", "c_nothing_new"))
        lines.append(f"| {r.target} | {a:.1f} | {b:.2f} | {c:.2f} | {d:.3f} | {b / a:.1%} | {b / d:.0f}x | {peaks} |")
    lines += ["", "Seconds per module, main and complete (from the run's `--json` events; process start-up and "
              "rendering the plan excluded):",
              "", "| target | phase | " + " | ".join(MODULES) + " |",
              "|---|---|---|---|---|---|"]
    for r in results:
        for key, phase in r.phases.items():
            if phase.modules:
                cells = " | ".join(f"{phase.modules.get(m, 0.0):.2f}" for m in MODULES)
                lines.append(f"| {r.target} | {key} | {cells} |")
    lines += ["", f"Loading the {loaded:,} events of the history (`sluice load`, not part of the ratios; "
              "against a bare COPY/read_csv see `bench/load.py`): " +
              ", ".join(f"{r.target} {r.load.seconds:.0f}s ({loaded / r.load.seconds:,.0f} rows/s, "
                        f"peak {r.load.peak_mb:.0f} MB)" for r in results if r.load), ""]
    return "\n".join(lines)


def bench_size(events: int, targets: list[str], dsn: str | None) -> tuple[list[TargetResult], int, int]:
    """Every target at one size: (results, events generated, events of the history)."""
    total = int(events * (SLICES + 1) / SLICES)
    with tempfile.TemporaryDirectory(prefix="sluice-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "history").mkdir()
        files = batch_paths(workdir / "history", SLICES + 1, "tsv")
        config = GenerateConfig(events=total, users=max(1000, total // 50), days=30, batches=SLICES + 1)
        counts = write_batches(generate(config), files, TsvFormat())
        files[-1] = files[-1].rename(workdir / files[-1].name)  # the newest 1% arrives later
        results = []
        for name in targets:
            if name == "postgres":
                if dsn is None:
                    raise SystemExit("no PostgreSQL found (set SLUICE_TEST_PG_DSN)")
                with pg.fresh_database(dsn) as db:
                    results.append(bench_target(name, pg.target_settings(db), files, workdir))
            else:
                results.append(bench_target(name, {"type": "duckdb", "path": ".sluice/bench.duckdb"}, files, workdir))
    return results, total, sum(counts[:-1])


def flatness(by_size: dict[int, list[TargetResult]]) -> str:
    """(b) and (c) at each size, and the largest size's against the smallest's."""
    sizes = sorted(by_size)
    lines = ["### Incremental cost against history", "",
             "| target | phase | " + " | ".join(f"{s:,}" for s in sizes) + f" | {sizes[-1]:,} / {sizes[0]:,} |",
             "|---|---|" + "---|" * (len(sizes) + 1)]
    for index, result in enumerate(by_size[sizes[0]]):
        for phase in ("b_incremental", "c_nothing_new"):
            seconds = [by_size[s][index].phases[phase].seconds for s in sizes]
            cells = " | ".join(f"{s:.2f}" for s in seconds)
            lines.append(f"| {result.target} | {phase} | {cells} | {seconds[-1] / seconds[0]:.2f}x |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="1000000", help="Events of the history; several, comma-separated.")
    parser.add_argument("--targets", default="duckdb,postgres")
    parser.add_argument("--record", action="store_true", help="Append the figures to bench/RESULTS.md.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.events.split(",")]
    by_size, texts = {}, []
    with pg.pg_server() as dsn:
        server = server_description(dsn, args.targets.split(","))
        for events in sizes:
            results, total, loaded = bench_size(events, args.targets.split(","), dsn)
            by_size[events] = results
            texts.append(render(results, events, total, loaded, server))
            print(texts[-1], flush=True)
    if len(sizes) > 1:
        texts.append(flatness(by_size))
        print(texts[-1])
    if args.record:
        with open(REPO / "bench" / "RESULTS.md", "a") as handle:
            handle.write("\n" + "\n".join(texts))


if __name__ == "__main__":
    main()
