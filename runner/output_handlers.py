"""How the `sluice` command shows the `sluice.*` records, chosen once per command.

- **plain** (stdout is not a terminal: a cron log, a pipe, an Airflow BashOperator): one line
  per record, the time first on the lines of a run (modules, steps, queries).
- **terminal**: the same lines in colour, tables, and live progress bars (`output_terminal`).
- **json** (`--json`): one JSON object per line on stdout, one per event, the command's
  `summary` (or `failed`) object last.
- **quiet** (`--quiet`): nothing but the error line.

In every mode the error line goes to stderr, and the records still propagate to the root
logger, so a program that runs the command in-process (a test's `caplog`) sees them all.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from sluice.output import GENERAL, RUN, Event

PLAIN, TERMINAL, JSON, QUIET = "plain", "terminal", "json", "quiet"


def choose_mode(quiet: bool, as_json: bool) -> str:
    if quiet:
        return QUIET
    if as_json:
        return JSON
    return TERMINAL if sys.stdout.isatty() else PLAIN


@contextmanager
def command_output(mode: str) -> Iterator[None]:
    """The `sluice` logger's handlers and level for one command; restored afterwards."""
    logger = logging.getLogger(GENERAL)
    handlers = [*_stdout_handlers(mode), _error_handler()]
    before = logger.level
    # DEBUG only for the terminal: its progress bars count the rows of each chunk loaded
    logger.setLevel(logging.DEBUG if mode == TERMINAL else logging.INFO)
    for handler in handlers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(before)


def _stdout_handlers(mode: str) -> list[logging.Handler]:
    if mode == QUIET:
        return []
    if mode == TERMINAL:
        from sluice.output_terminal import TerminalHandler  # rich's live display: only on a terminal

        return [TerminalHandler()]
    handler = StdoutHandler()
    handler.setLevel(logging.INFO)
    if mode == JSON:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(PlainFormatter())
        handler.addFilter(lambda record: record.levelno < logging.ERROR)
    return [handler]


class StdoutHandler(logging.StreamHandler):
    """Lines on stdout. When the reader goes away (`sluice run | head`), the work goes on and
    the rest of its lines are dropped: a closed pipe must not stop a run half way, nor print a
    logging error for every line."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    def handleError(self, record: logging.LogRecord) -> None:
        if not isinstance(sys.exc_info()[1], BrokenPipeError):
            super().handleError(record)
            return
        self.stream = open(os.devnull, "w")  # noqa: SIM115  (lives as long as the handler)
        try:  # and the interpreter's last flush of stdout at exit has nowhere to fail
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            pass  # a stdout without a file descriptor (a test's capture)

    def close(self) -> None:
        if self.stream is not sys.stdout and self.stream is not sys.__stdout__:
            self.stream.close()
        super().close()


def _error_handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


class PlainFormatter(logging.Formatter):
    """The record's line; the lines of a run (modules, steps, queries) start with the time.
    (A file loaded says its own seconds, and scripts read its line from the path on.)"""

    def format(self, record: logging.LogRecord) -> str:
        line = record.getMessage()
        if record.name == RUN:
            line = f"{self.formatTime(record, '%H:%M:%S')} {line}"
        return line


class JsonFormatter(logging.Formatter):
    """One object per record: `event`, `time` (UTC, ISO 8601), `level`, `logger`, `message`,
    then the event's figures."""

    def format(self, record: logging.LogRecord) -> str:
        event: Event = getattr(record, "sluice", None) or Event("log")
        stamp = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
        obj = {"event": event.name, "time": stamp, "level": record.levelname.lower(), "logger": record.name,
               "message": record.getMessage(), **event.figures}
        return json.dumps(obj, default=str)
