"""What Sluice reports while it works: events, sent as records of the `sluice.*` loggers.

The runner, the loaders and the commands call a `Reporter`; it turns each event into one
logging record whose message is the plain line a log shows, with the event's name and figures
attached (`record.sluice`, an `Event`). How records are shown is the handlers' business: the
`sluice` command installs them (`output_handlers.command_output`: plain lines, rich progress on
a terminal, JSON, or errors only), and an orchestrator's own logging (Airflow's task log)
receives the same records through the `sluice` logger like any library's.

Loggers: `sluice.run` (modules, steps, queries, data checks), `sluice.load` (files and rows
loaded), `sluice` (everything else: plans, summaries, warnings, errors, query output).
Everything reported passes through `secrets.redact`, so a password or `env:` secret that found
its way into an error message or a rendered query is masked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sluice.secrets import redact
from sluice.targets import QueryResult

__all__ = ["Event", "Reporter", "make_reporter", "quiet_reporter"]

#: a library's loggers print nothing until the application configures logging
logging.getLogger("sluice").addHandler(logging.NullHandler())

GENERAL = "sluice"
RUN = "sluice.run"
LOAD = "sluice.load"


@dataclass(frozen=True)
class Event:
    """One thing that happened: its name (`query_finished`, `file_loaded`, `summary`...) and
    its figures (rows, seconds, module...), as `--json` prints them."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)


class Reporter:
    """Sends events to the `sluice.*` loggers.

    `max_level`: the highest level this reporter logs at; `quiet_reporter()` logs everything at
    DEBUG, so a run nested in another command (the demo's) shows in progress bars and debug
    logs, never as lines of its own."""

    def __init__(self, max_level: int = logging.CRITICAL):
        self.max_level = max_level

    def event(self, name: str, text: str, logger: str = GENERAL, level: int = logging.INFO,
              **figures: Any) -> None:
        """Log one event: `text` is its line, `figures` what a machine reads of it."""
        log = logging.getLogger(logger)
        level = min(level, self.max_level)
        if log.isEnabledFor(level):
            log.log(level, "%s", redact(text), extra={"sluice": Event(name, _redacted(figures))})

    # -- lines -------------------------------------------------------------------------------
    def line(self, text: str) -> None:
        self.event("line", text)

    def warning(self, text: str) -> None:
        self.event("warning", f"warning: {text}", level=logging.WARNING)

    def summary(self, command: str, text: str, **figures: Any) -> None:
        """What a command did, last: the object `--json` scripts read."""
        self.event("summary", text, command=command, **figures)

    def failed(self, text: str, exit_code: int) -> None:
        """The command's one error line (the error boundary's)."""
        self.event("failed", text, level=logging.ERROR, exit_code=exit_code)

    # -- modules, steps, queries ----------------------------------------------------------------
    def module_started(self, module: str, phase: str, run_id: str) -> None:
        self.event("module_started", f"module '{module}' {phase} started (run {run_id})", RUN,
                   module=module, phase=phase, run_id=run_id)

    def module_finished(self, module: str, phase: str, seconds: float, rows: int | None = None,
                        error: str | None = None) -> None:
        counted = f", {rows:,} rows" if rows is not None else ""
        text = (f"module '{module}' {phase} FAILED after {seconds:.2f}s" if error
                else f"module '{module}' {phase} done in {seconds:.2f}s{counted}")
        self.event("module_finished", text, RUN, logging.WARNING if error else logging.INFO,
                   module=module, phase=phase, seconds=round(seconds, 3), rows=rows, error=error)

    def step_started(self, target: str, step: str, queries: int) -> None:
        self.event("step_started", f"[{target}] step {step}: {queries} quer{'y' if queries == 1 else 'ies'}", RUN,
                   target=target, step=step, queries=queries)

    def query_finished(self, target: str, step: str, query: str, rows: int, seconds: float,
                       error: str | None = None) -> None:
        # A failed query is a warning here: the command's error line says it once more, and
        # `--quiet` shows that line alone.
        text = (f"[{target}] {step}::{query} FAILED after {seconds:.2f}s: {error}" if error
                else f"[{target}] {step}::{query} ok, {rows} rows, {seconds:.2f}s")
        self.event("query_finished", text, RUN, logging.WARNING if error else logging.INFO,
                   target=target, step=step, query=query, rows=rows, seconds=round(seconds, 3), error=error)

    def query_text(self, target: str, step: str, query: str, sql: str) -> None:
        self.event("query_text", f"-- [{target}] {step}::{query}\n{sql.rstrip()}\n",
                   target=target, step=step, query=query, sql=sql)

    def rows(self, title: str, result: QueryResult) -> None:
        # One record for the whole block: the queries of a step finish in parallel, and line by
        # line a sibling's rows or status would land inside this table.
        lines = [title, "\t".join(result.columns)]
        lines += ["\t".join("" if v is None else str(v) for v in row) for row in result.rows]
        self.event("rows", "\n".join(lines), title=title, columns=list(result.columns),
                   rows=[list(row) for row in result.rows])

    def status(self, report: dict) -> None:
        """`sluice status`: one table per section of the report."""
        lines = []
        for title, rows in status_sections(report).items():
            columns = list(rows[0]) if rows else ["(none)"]
            lines += [f"{title} (target {report['target']})", "\t".join(columns)]
            lines += ["\t".join("" if v is None else str(v) for v in row.values()) for row in rows]
        self.event("status", "\n".join(lines), **report)

    # -- loading -----------------------------------------------------------------------------
    def load_started(self, files: int, source: str) -> None:
        self.event("load_started", f"loading {files} file{'s' * (files != 1)} ({source})", LOAD,
                   files=files, source=source)

    def rows_loaded(self, file: Path, rows: int) -> None:
        """A chunk of a file went in (DEBUG: progress bars count it, a log need not)."""
        self.event("rows_loaded", f"{file}: +{rows} rows", LOAD, logging.DEBUG, file=str(file), rows=rows)

    def file_loaded(self, file: Path, rows: int, rejected: int, seconds: float, detail: str = "",
                    **figures: Any) -> None:
        rate = f", {rows / seconds:,.0f} rows/s" if seconds > 0 and rows else ""
        self.event("file_loaded", f"{file}: {rows} rows, {rejected} rejected{detail}, {seconds:.2f}s{rate}", LOAD,
                   file=str(file), rows=rows, rejected=rejected, seconds=round(seconds, 3), **figures)


def status_sections(report: dict) -> dict[str, list[dict]]:
    return {"last runs": report["modules"], "backlog": report["backlog"], "locks": report["locks"],
            "data checks": report["checks"],
            "high-water marks": [{"manifest": k, "newest": v} for k, v in report["high_water_marks"].items()]}


def make_reporter() -> Reporter:
    """The reporter a command uses (how its records show is the command's logging setup)."""
    return Reporter()


def quiet_reporter() -> Reporter:
    """A reporter whose events are DEBUG records: the demo's per-query lines would drown its
    summary, yet a terminal's progress bars still follow them."""
    return Reporter(max_level=logging.DEBUG)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted(v) for v in value]
    return value
