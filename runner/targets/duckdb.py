"""DuckDB, the embedded default: a database file under `.sluice/` in the project.

DuckDB lets one process open a file for writing. Parallel queries of one step therefore run
on cursors of a single database handle (each cursor is its own connection to the same
database instance), and a second `sluice` process waits for the file, then fails naming it.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import duckdb
from pydantic import Field

from sluice.errors import LockHeld, QueryError, SluiceError, StagingError, TargetError
from sluice.targets.base import PLACEHOLDER, QueryResult, Session, Target, TargetSettings

DEFAULT_PATH = ".sluice/sluice.duckdb"
#: the longest line `stage_text` reads (DuckDB's default is 2 MB)
MAX_STAGED_LINE = 16 << 20


class DuckDBSettings(TargetSettings):
    path: str = DEFAULT_PATH
    #: seconds to wait for another process holding the file
    lock_timeout: float = Field(30.0, ge=0)
    threads: int | None = Field(None, ge=1)
    #: DuckDB spills to disk beyond this (e.g. "2GB"); https://duckdb.org/docs/configuration/overview
    memory_limit: str | None = None
    #: the write-ahead log's size that makes DuckDB merge it into the file. Its default (16MB)
    #: merges after nearly every module's commit; a run commits some seventy times, and
    #: merging once when the run ends is cheaper. Every commit is durable either way.
    checkpoint_threshold: str = "1GB"

#: DuckDB's memory while loading, unless the target sets memory_limit (see prepare_loading)
LOAD_MEMORY_LIMIT = "1GB"


class DuckDBTarget(Target):
    type_name = "duckdb"
    dialect = "duckdb"
    driver_errors = (duckdb.Error,)
    Settings = DuckDBSettings
    settings: DuckDBSettings
    #: DuckDB's own catalog function answers in about half the time of its information_schema
    #: view (1.0 against 1.8 ms on the RudderStack benchmark's file), and a run asks some 100
    #: times (columns, and whether a table exists). Like the view, it lists views' columns too.
    columns_query = ("SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = :schema "
                     "AND table_name = :name ORDER BY column_index")

    #: how often a locked file is retried while waiting
    poll_seconds: ClassVar[float] = 0.2

    def __init__(self, name: str, settings: DuckDBSettings, project_dir: Path | None = None):
        super().__init__(name, settings, project_dir)
        path = Path(settings.path)
        if str(path) != ":memory:" and not path.is_absolute():
            path = self.project_dir / path
        self.path = path
        self.lock_timeout = settings.lock_timeout
        self._database: duckdb.DuckDBPyConnection | None = None
        self._open_error: SluiceError | None = None
        self._open_lock = threading.Lock()
        self._stage_dir: Path | None = None
        self._stage_files: dict[str, Path] = {}
        self._staged = 0

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
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise TargetError(f"target '{self.name}': cannot create {self.path.parent}: {exc.strerror}") from exc
        config = {k: str(v) for k, v in (("threads", self.settings.threads),
                                         ("memory_limit", self.settings.memory_limit),
                                         ("checkpoint_threshold", self.settings.checkpoint_threshold))
                  if v is not None}
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return duckdb.connect(str(self.path), config=config)
            except duckdb.IOException as exc:
                # Another process holds the file's write lock; DuckDB has no wait option.
                if "lock" not in str(exc).lower():
                    raise TargetError(f"target '{self.name}': cannot open {self.path}: {_first_line(exc)}") from exc
                if time.monotonic() >= deadline:
                    raise LockHeld(
                        f"target '{self.name}': database file {self.path} is locked by another "
                        f"process (waited {self.lock_timeout:g}s; set lock_timeout to wait longer)"
                    ) from exc
                time.sleep(self.poll_seconds)
            except duckdb.Error as exc:  # a file that is no database, a bad memory_limit...
                raise TargetError(f"target '{self.name}': cannot open {self.path}: {_first_line(exc)}") from exc

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

    def bind(self, statement: str, params: Mapping[str, Any]) -> tuple[str, Any]:
        """DuckDB names parameters `$name` and refuses values the statement does not use.
        https://duckdb.org/docs/api/python/dbapi"""
        used = set(PLACEHOLDER.findall(statement))
        return PLACEHOLDER.sub(lambda m: f"${m.group(1)}", statement), {k: v for k, v in params.items() if k in used}

    def bulk_insert(self, session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write the rows to a temporary CSV and let DuckDB's CSV reader insert them, typed
        with the table's own column types. DuckDB's `executemany` runs one INSERT per row:
        about 25 rows/s into the 131-column events table (duckdb 2.0), against tens of
        thousands a second through read_csv. https://duckdb.org/docs/data/csv/overview

        NULL is an unquoted empty field. An empty string must then be a quoted `""`, which
        csv's minimal quoting never writes, so the rare row holding one is written with every
        string quoted (`allow_quoted_nulls=false` keeps `""` a string)."""
        types = {name: kind for name, kind, *_ in session.fetch(f"DESCRIBE {table}").rows}
        handle, path = tempfile.mkstemp(prefix="sluice-", suffix=".csv")
        try:
            with open(handle, "w", newline="", encoding="utf-8") as out:
                plain = csv.writer(out, lineterminator="\n")
                quoted = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
                count = 0
                for row in rows:
                    if "" in row:
                        quoted.writerow([_NULL if v is None else v for v in row])
                    else:
                        plain.writerow(row)
                    count += 1
            spec = ", ".join(f"'{c}': '{types[c]}'" for c in columns)
            if count:
                session.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM read_csv('{_literal(path)}', "
                    f"columns = {{{spec}}}, header = false, auto_detect = false, quote = '\"', escape = '\"', "
                    f"allow_quoted_nulls = false, max_line_size = {1 << 26})",
                    label=f"bulk insert into {table}")
        except KeyError as exc:
            raise QueryError(f"target '{self.name}': bulk insert into {table}: no column {exc}") from None
        finally:
            os.unlink(path)
        return count

    def prepare_loading(self, session: Session) -> None:
        """Memory bounded while loading, unless the target sets memory_limit: a file is one
        transaction, and DuckDB would otherwise hold what it appends up to 80% of the machine's
        memory, so a larger file took more memory; past this it spills to its temporary
        directory instead. https://duckdb.org/docs/configuration/overview"""
        if self.settings.memory_limit is None:
            session.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}'", label="load settings")

    def stage_text(self, session: Session, name: str, columns: Sequence[str], text: bytes, fmt: str,
                   rows: int) -> None:
        """A view over DuckDB's CSV reader on a temporary file, not a table: each statement
        that reads the view parses the file again, which costs less than storing 131 text
        columns first. DuckDB has no savepoints and a failed read aborts the whole
        transaction, so the file is read once first with `ignore_errors` (bad lines are
        skipped, not raised) and a count short of `rows` is a StagingError.
        https://duckdb.org/docs/data/csv/reading_faulty_csv_files"""
        path = self._stage_file(name, fmt)
        path.write_bytes(text)
        spec = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
        quoting = "delim = '\t', quote = ''" if fmt == "tsv" else "delim = ',', quote = '\"'"
        quoting += ", escape = ''" if fmt == "tsv" else ", escape = '\"'"
        source = (f"read_csv('{_literal(str(path))}', columns = {{{spec}}}, header = false, auto_detect = false, "
                  f"{quoting}, max_line_size = {MAX_STAGED_LINE}, ignore_errors = true)")
        read = session.fetch(f"SELECT count(*) FROM {source}", label=f"stage {name}").rows[0][0]
        if read != rows:
            raise StagingError(f"DuckDB read {read} of {rows} records")
        # row_number() OVER () streams in the reader's order (insertion order is preserved)
        session.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT row_number() OVER () AS ordinal, * "
                        f"FROM {source}", label=f"stage {name}")

    def _stage_file(self, name: str, fmt: str) -> Path:
        """A new file for each call: DuckDB may cache what it read from a path."""
        if self._stage_dir is None:
            self._stage_dir = Path(tempfile.mkdtemp(prefix="sluice-stage-"))
        old = self._stage_files.get(name)
        if old is not None:
            old.unlink(missing_ok=True)
        self._staged += 1
        path = self._stage_files[name] = self._stage_dir / f"{name}-{self._staged}.{fmt}"
        return path

    def close(self) -> None:
        super().close()
        if self._stage_dir is not None:
            shutil.rmtree(self._stage_dir, ignore_errors=True)
            self._stage_dir, self._stage_files = None, {}
        with self._open_lock:
            self._open_error = None  # a later connect() tries the file again
            if self._database is not None:
                self._checkpoint()
                self._database.close()
                self._database = None

    def _checkpoint(self) -> None:
        """CHECKPOINT before closing, rather than leaving it to the one DuckDB runs at shutdown.
        Measured (DuckDB 2.0, the RudderStack benchmark's file after a full run): after the
        shutdown checkpoint, the next process's first checkpoint took 0.8 s on the 2.8 GB file
        however little that process changed (0.105 s at a seventh of the size); after an
        explicit one, 0.005 s. Best effort: when it cannot run (another transaction still
        open), closing checkpoints as before."""
        try:
            self._database.execute("CHECKPOINT")
        except duckdb.Error:
            pass


class _Null(int):
    """NULL for the CSV writer: numeric, so QUOTE_NONNUMERIC leaves it unquoted, and printed
    as nothing, so DuckDB reads the empty unquoted field as NULL (a None would be written as
    the quoted "" of an empty string)."""

    def __str__(self) -> str:
        return ""

    __repr__ = __str__


_NULL = _Null()


def _literal(text: str) -> str:
    return text.replace("'", "''")


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split("\n")[0].split())
