"""Progress and results: rich on a terminal, plain log lines otherwise.

Everything printed passes through `secrets.redact`, so a password or `env:` secret that
found its way into an error message or a rendered query is masked.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sluice.secrets import redact
from sluice.targets import QueryResult


class Reporter:
    """Plain lines, one per event, for logs and schedulers."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def line(self, text: str, style: str = "") -> None:
        with self._lock:
            print(redact(text), file=self.stream, flush=True)

    def step_started(self, target: str, step: str, queries: int) -> None:
        self.line(f"{_stamp()} [{target}] step {step}: {queries} quer{'y' if queries == 1 else 'ies'}")

    def query_finished(self, target: str, step: str, query: str, rows: int, seconds: float,
                       error: str | None = None) -> None:
        if error:
            self.line(f"{_stamp()} [{target}] {step}::{query} FAILED after {seconds:.2f}s: {error}", "red")
        else:
            self.line(f"{_stamp()} [{target}] {step}::{query} ok, {rows} rows, {seconds:.2f}s", "green")

    def query_text(self, target: str, step: str, query: str, sql: str) -> None:
        self.line(f"-- [{target}] {step}::{query}\n{sql.rstrip()}\n")

    def rows(self, title: str, result: QueryResult) -> None:
        # One write for the whole block: the queries of a step finish in parallel, and line by
        # line a sibling's rows or status would land inside this table.
        lines = [title, "\t".join(result.columns)]
        lines += ["\t".join("" if v is None else str(v) for v in row) for row in result.rows]
        self.line("\n".join(lines))

    def warning(self, text: str) -> None:
        self.line(f"warning: {text}", "yellow")

    def status(self, report: dict) -> None:
        """`sluice status` as tables: one per section of the report."""
        sections = {"last runs": report["modules"], "backlog": report["backlog"], "locks": report["locks"],
                    "data checks": report["checks"],
                    "high-water marks": [{"manifest": k, "newest": v} for k, v in report["high_water_marks"].items()]}
        for title, rows in sections.items():
            columns = list(rows[0]) if rows else ["(none)"]
            self.rows(f"{title} (target {report['target']})",
                      QueryResult(columns, [tuple(r.values()) for r in rows]))


class RichReporter(Reporter):
    """The same events, coloured, with tables for query output."""

    def __init__(self, console: Console | None = None):
        super().__init__()
        self.console = console or Console(highlight=False)

    def line(self, text: str, style: str = "") -> None:
        with self._lock:
            self.console.print(escape(redact(text)), style=style or None)

    def rows(self, title: str, result: QueryResult) -> None:
        table = Table(title=redact(title), show_lines=False)
        for column in result.columns:
            table.add_column(redact(str(column)))
        for row in result.rows:
            table.add_row(*(redact("" if v is None else str(v)) for v in row))
        with self._lock:
            self.console.print(table)


class LogReporter(Reporter):
    """The same lines through `logging`, for a host that collects its own logs (an Airflow
    task log shows them as the command line prints them); warnings at WARNING."""

    def __init__(self, logger: logging.Logger | None = None):
        super().__init__()
        self.logger = logger or logging.getLogger("sluice")

    def line(self, text: str, style: str = "") -> None:
        self.logger.info(redact(text))

    def warning(self, text: str) -> None:
        self.logger.warning(redact(f"warning: {text}"))


def make_reporter() -> Reporter:
    return RichReporter() if sys.stdout.isatty() else Reporter()


def _stamp() -> str:
    return time.strftime("%H:%M:%S")


def quiet_reporter() -> Reporter:
    """A reporter that prints nothing (the demo's per-query lines would drown its summary)."""
    return Reporter(open(os.devnull, "w"))  # noqa: SIM115  (lives as long as the process)
