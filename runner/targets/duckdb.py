"""DuckDB, the embedded default: a database file under `.sluice/` in the project.

DuckDB lets one process open a file for writing. Parallel queries of one step therefore run
on cursors of a single database handle (each cursor is its own connection to the same
database instance), and a second `sluice` process waits for the file, then fails naming it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import duckdb

from runner.errors import LockHeld, SluiceError, TargetError
from runner.targets.base import QueryResult, Target

DEFAULT_PATH = ".sluice/sluice.duckdb"


class DuckDBTarget(Target):
    type_name = "duckdb"
    dialect = "duckdb"
    driver_errors = (duckdb.Error,)
    settings_keys = frozenset({"path", "lock_timeout", "threads", "memory_limit"})

    #: how often a locked file is retried while waiting
    poll_seconds: ClassVar[float] = 0.2

    def __init__(self, name: str, settings: dict[str, Any], project_dir: Path | None = None):
        super().__init__(name, settings)
        path = Path(self.settings.get("path", DEFAULT_PATH))
        if str(path) != ":memory:" and not path.is_absolute():
            path = (project_dir or Path.cwd()) / path
        self.path = path
        self.lock_timeout = float(self.settings.get("lock_timeout", 30))
        self._database: duckdb.DuckDBPyConnection | None = None
        self._open_error: SluiceError | None = None
        self._open_lock = threading.Lock()

    def _open_connection(self) -> Any:
        with self._open_lock:
            # Every query of a step opens a session at once; once one has waited out
            # lock_timeout, the others fail with it instead of each waiting again in turn.
            if self._open_error is not None:
                raise self._open_error
            if self._database is None:
                try:
                    self._database = self._open_database()
                except (TargetError, LockHeld) as exc:
                    self._open_error = exc
                    raise
        return self._database.cursor()

    def _open_database(self) -> duckdb.DuckDBPyConnection:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        config = {k: str(self.settings[k]) for k in ("threads", "memory_limit") if k in self.settings}
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return duckdb.connect(str(self.path), config=config)
            except duckdb.IOException as exc:
                # Another process holds the file's write lock; DuckDB has no wait option.
                if "lock" not in str(exc).lower():
                    raise TargetError(f"target '{self.name}': cannot open {self.path}: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise LockHeld(
                        f"target '{self.name}': database file {self.path} is locked by another "
                        f"process (waited {self.lock_timeout:g}s; set lock_timeout to wait longer)"
                    ) from exc
                time.sleep(self.poll_seconds)

    def cursor(self, connection: Any) -> Any:
        # A DuckDB "cursor" is a whole new connection with its own transaction; a session
        # must run every statement on the connection it was given.
        return connection

    def close_cursor(self, cursor: Any) -> None:
        pass

    def returned_rows(self, cursor: Any) -> QueryResult | None:
        # DuckDB answers DDL with a one-column "Success" or "Count" result and DML with its
        # row count; those are statuses, not rows a user asked for.
        rows = super().returned_rows(cursor)
        if rows is not None and rows.columns in (["Success"], ["Count"]) and (cursor.rowcount >= 0 or not rows.rows):
            return None
        return rows

    def rows_affected(self, cursor: Any, rows: QueryResult | None) -> int:
        return cursor.rowcount

    def close(self) -> None:
        super().close()
        with self._open_lock:
            self._open_error = None  # a later connect() tries the file again
            if self._database is not None:
                self._database.close()
                self._database = None
