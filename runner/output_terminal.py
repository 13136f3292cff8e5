"""A terminal's view of the `sluice.*` records: the lines in colour, query output and status as
tables, and live progress bars (rich.progress) for what is running: the module and its step
with the time elapsed, and the files and rows of a load with their rate."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from sluice.output import Event, status_sections

STYLES = {"warning": "yellow", "summary": "bold", "module_finished": "cyan"}


class TerminalHandler(logging.Handler):
    """Shows records below ERROR (errors are the stderr handler's) and follows every record's
    event, DEBUG included, in the progress bars."""

    def __init__(self, console: Console | None = None):
        super().__init__(logging.DEBUG)
        self.console = console or Console(highlight=False)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.fields[detail]}"), TimeElapsedColumn(),
                                 console=self.console, transient=True)
        self.tasks: dict[str, TaskID] = {}
        self.load = LoadCount(0)
        self.follow: dict[str, Callable[[dict], None]] = {
            "module_started": self._module_started, "module_finished": lambda _: self._finish(_module_key()),
            "step_started": self._step_started, "load_started": self._load_started,
            "rows_loaded": self._rows_loaded, "file_loaded": self._file_loaded,
            "summary": lambda _: self._finish(*self.tasks), "failed": lambda _: self._finish(*self.tasks)}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            event: Event = getattr(record, "sluice", None) or Event("log")
            if event.name in self.follow:
                self.follow[event.name](event.figures)
            if logging.INFO <= record.levelno < logging.ERROR:
                self._show(record, event)
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        self._finish(*self.tasks)
        super().close()

    # -- lines and tables ----------------------------------------------------------------------
    def _show(self, record: logging.LogRecord, event: Event) -> None:
        figures = event.figures
        if event.name == "rows":
            self.console.print(_table(figures["title"], figures["columns"], figures["rows"]))
        elif event.name == "status":
            for title, rows in status_sections(figures).items():
                columns = list(rows[0]) if rows else ["(none)"]
                self.console.print(_table(f"{title} (target {figures['target']})", columns,
                                          [list(r.values()) for r in rows]))
        else:
            style = "red" if figures.get("error") else STYLES.get(event.name)
            if event.name == "query_finished" and style is None:
                style = "green"
            self.console.print(escape(record.getMessage()), style=style)

    # -- progress --------------------------------------------------------------------------
    def _task(self, key: str, description: str, total: float | None = None) -> TaskID:
        if key not in self.tasks:
            if not self.tasks:
                self.progress.start()
            self.tasks[key] = self.progress.add_task(description, total=total, detail="")
        return self.tasks[key]

    def _finish(self, *keys: str) -> None:
        for key in keys:
            task = self.tasks.pop(key, None)
            if task is not None:
                self.progress.remove_task(task)
        if not self.tasks:
            self.progress.stop()

    def _module_started(self, figures: dict) -> None:
        self._finish(_module_key())
        self._task(_module_key(), f"{figures['module']} {figures['phase']}")

    def _step_started(self, figures: dict) -> None:
        # (a TaskID can be 0: no `or` here)
        key = _module_key()
        task = self.tasks[key] if key in self.tasks else self._task("playbook", "playbook")
        queries = figures["queries"]
        self.progress.update(task, detail=f"step {figures['step']} ({queries} quer{'y' if queries == 1 else 'ies'})")

    def _load_started(self, figures: dict) -> None:
        self.load = LoadCount(figures["files"])
        self._task("load", f"loading ({figures['source']})", total=figures["files"])
        self._show_load()

    def _rows_loaded(self, figures: dict) -> None:
        self.load.in_file += figures["rows"]
        self._show_load()

    def _file_loaded(self, figures: dict) -> None:
        self.load.files_done += 1
        self.load.done += figures["rows"]
        self.load.in_file = 0
        if "load" in self.tasks:
            self.progress.advance(self.tasks["load"])
        self._show_load()

    def _show_load(self) -> None:
        if "load" in self.tasks:
            self.progress.update(self.tasks["load"], detail=self.load.detail())


class LoadCount:
    """Files and rows loaded so far: the rows of finished files and of the file going in."""

    def __init__(self, files: int) -> None:
        self.started = time.monotonic()
        self.files = files
        self.files_done = 0
        self.done = 0
        self.in_file = 0

    def detail(self) -> str:
        rows = self.done + self.in_file
        seconds = time.monotonic() - self.started
        rate = f", {rows / seconds:,.0f} rows/s" if seconds > 0 and rows else ""
        return f"{self.files_done}/{self.files} files, {rows:,} rows{rate}"


def _table(title: str, columns: list, rows: list) -> Table:
    table = Table(title=escape(str(title)), show_lines=False)
    for column in columns:
        table.add_column(escape(str(column)))
    for row in rows:
        table.add_row(*(escape("" if v is None else str(v)) for v in row))
    return table


def _module_key() -> str:
    """The progress bar of the module this thread runs: with parallel_modules, several run at
    once, each reporting from a thread of its own (events are handled in the thread that
    logs them)."""
    return f"module {threading.current_thread().name}"

