"""What every warehouse target offers, and the DB-API plumbing they share.

A target is a named connection recipe (from `sluice.yml` or a SQL Runner playbook). It opens
sessions: one per concurrently running query, each its own connection where the warehouse
allows it. A session runs SQL scripts statement by statement, reports rows affected, fetches
rows and wraps work in a transaction. Drivers' exceptions are translated here, once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

import sqlglot
from sqlglot.errors import SqlglotError

from sluice.errors import QueryError
from sluice.targets.statistics import Statistics
from sluice.typed import Strict, validate


@dataclass(frozen=True)
class QueryResult:
    """Rows a statement returned, with its column names."""

    columns: list[str]
    rows: list[tuple]


@dataclass
class ScriptResult:
    """What running a whole SQL file produced: rows affected and the last rows returned."""

    rows_affected: int = 0
    last: QueryResult | None = None
    statements: int = 0
    results: list[QueryResult] = field(default_factory=list)


#: `:name`, not `::type` (a PostgreSQL cast) nor a time such as '10:30'
PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def split_statements(sql: str, dialect: str) -> list[str]:
    """The statements of a script (see `statement_spans`)."""
    return [text for _, text in statement_spans(sql, dialect)]


@lru_cache(maxsize=1024)
def statement_spans(sql: str, dialect: str) -> tuple[tuple[int, str], ...]:
    """(offset in the script, text) of each statement: split on the semicolons that end
    statements (not those inside strings or comments), with sqlglot's tokenizer for the
    dialect; a piece without a token is only whitespace and comments and is left out. Falls
    back to the whole script when the tokenizer cannot read it, and lets the warehouse be the
    judge. Cached: the lifecycle runs the same scripts round after round, and tokenizing in
    Python is most of what a run with little new data spends outside the warehouse."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(sql)
    except SqlglotError:
        return ((len(sql) - len(sql.lstrip()), sql.strip()),) if sql.strip() else ()
    pieces, start, has_code = [], 0, False
    for token in tokens:
        if token.token_type.name == "SEMICOLON":
            if has_code:
                pieces.append((start, sql[start : token.start]))
            start, has_code = token.end + 1, False
        else:
            has_code = True
    if has_code:
        pieces.append((start, sql[start:]))
    return tuple((offset + len(p) - len(p.lstrip()), p.strip()) for offset, p in pieces)


class Session:
    """One connection to a target. Not shared between threads."""

    def __init__(self, target: Target, connection: Any):
        self.target = target
        self.connection = connection
        #: tables this session wrote in its open transaction, with the rows (see statistics.py)
        self.unanalysed: dict[str, int] = {}
        self.in_transaction = False

    def execute(self, sql: str, params: Mapping[str, Any] | None = None, *, label: str = "") -> ScriptResult:
        """Run every statement of a script in order; sum the rows they affected. `params`
        binds `:name` placeholders (a script with parameters is one statement)."""
        result = ScriptResult()
        spans = [(0, sql)] if params else statement_spans(sql, self.target.dialect)
        statistics = self.target.statistics if not params else None
        for offset, statement in spans:
            try:
                use = statistics and statistics.before(statement, self.unanalysed, self._analyze, self._planned_rows)
                rowcount, rows = self._run_one(statement, label, params)
            except QueryError as exc:
                exc.offset = offset  # where in the script the failing statement starts
                raise
            if statistics:
                statistics.after(use, self.unanalysed, rowcount)
                if not self.in_transaction:
                    statistics.commit(self.unanalysed)
            result.statements += 1
            result.rows_affected += max(rowcount, 0)
            if rows is not None:
                result.last = rows
                result.results.append(rows)
        return result

    def fetch(self, sql: str, params: Mapping[str, Any] | None = None, *, label: str = "") -> QueryResult:
        """Run one statement (`:name` placeholders bound from `params`) and return its rows."""
        _, rows = self._run_one(sql, label, params)
        return rows or QueryResult([], [])

    def _run_one(self, statement: str, label: str, params: Mapping[str, Any] | None = None
                 ) -> tuple[int, QueryResult | None]:
        cursor = self.target.cursor(self.connection)
        try:
            if params:
                cursor.execute(*self.target.bind(statement, params))
            else:
                cursor.execute(statement)
            rows = self.target.returned_rows(cursor)
            return self.target.rows_affected(cursor, rows), rows
        except self.target.driver_errors as exc:
            failure = QueryError(self.target.describe_failure(exc, label))
            failure.line = self.target.failure_line(exc)
            raise failure from exc
        finally:
            self.target.close_cursor(cursor)

    def analyse_written(self) -> None:
        """At the end of a run: ANALYZE the tables written since their last ANALYZE where the
        rows written earn it (see `Statistics.settle`)."""
        if self.target.statistics:
            for table in self.target.statistics.settle(self._planned_rows):
                self._analyze(f"ANALYZE {table}")

    def _analyze(self, statement: str) -> None:
        self._run_one(statement, "fresh statistics")

    def _planned_rows(self, table: str) -> float | None:
        return self.target.planned_rows(self, table)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """BEGIN ... COMMIT, or ROLLBACK when the block raises."""
        self._run_one(self.target.begin_statement, "BEGIN")
        self.in_transaction = True
        try:
            yield self
        except BaseException:
            self.in_transaction = False
            self.unanalysed.clear()  # rolled back: nothing was written
            try:
                self.connection.rollback()
            except self.target.driver_errors:
                pass  # the connection may be gone; the original error matters more
            raise
        self.in_transaction = False
        self._run_one("COMMIT", "COMMIT")
        if self.target.statistics:
            self.target.statistics.commit(self.unanalysed)

    def close(self) -> None:
        try:
            self.connection.close()
        except self.target.driver_errors:
            pass


class TargetSettings(Strict):
    """A target's settings in sluice.yml; each target type declares its own."""


class Target:
    """A warehouse connection recipe. Subclasses set the flags and override the hooks."""

    type_name: ClassVar[str] = ""
    #: sqlglot dialect, and the name `sql/macros/` dispatches on
    dialect: ClassVar[str] = ""
    #: CREATE/DROP roll back with the transaction
    transactional_ddl: ClassVar[bool] = True
    #: exceptions of the driver that mean "the statement failed"
    driver_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    begin_statement: ClassVar[str] = "BEGIN"
    #: the planner needs ANALYZE on a table written earlier in the run before reading it
    needs_fresh_statistics: ClassVar[bool] = False
    #: the columns of table :name in schema :schema, in their order: name, then data type
    columns_query: ClassVar[str] = ("SELECT column_name, data_type FROM information_schema.columns "
                                    "WHERE table_schema = :schema AND table_name = :name ORDER BY ordinal_position")
    #: the settings a sluice.yml target of this type may hold besides `type`
    Settings: ClassVar[type[TargetSettings]]

    def __init__(self, name: str, settings: TargetSettings, project_dir: Path | None = None):
        """`project_dir` anchors relative paths (a DuckDB file) to the project, not the cwd."""
        self.name = name
        self.settings = settings
        self.project_dir = project_dir or Path.cwd()
        self.statistics = Statistics(self.dialect) if self.needs_fresh_statistics else None
        self._sessions: list[Session] = []
        self._lock = threading.Lock()

    @classmethod
    def parse_settings(cls, settings: Mapping[str, Any], where: str) -> TargetSettings:
        return validate(cls.Settings, settings, where)

    # -- hooks -----------------------------------------------------------------------------
    def _open_connection(self) -> Any:
        """Return a new DB-API connection in autocommit mode."""
        raise NotImplementedError

    def cursor(self, connection: Any) -> Any:
        return connection.cursor()

    def close_cursor(self, cursor: Any) -> None:
        cursor.close()

    def returned_rows(self, cursor: Any) -> QueryResult | None:
        """The rows a statement returned, or None for a statement that returns none."""
        if not cursor.description:
            return None
        columns = [d[0] for d in cursor.description]
        return QueryResult(columns, [tuple(r) for r in cursor.fetchall()])

    def bind(self, statement: str, params: Mapping[str, Any]) -> tuple[str, Any]:
        """`:name` placeholders in the driver's paramstyle; this default is DB-API's
        "pyformat" (`%(name)s`, psycopg's), so a literal `%` is doubled."""
        return PLACEHOLDER.sub(lambda m: f"%({m.group(1)})s", statement.replace("%", "%%")), dict(params)

    def rows_affected(self, cursor: Any, rows: QueryResult | None) -> int:
        return cursor.rowcount if cursor.rowcount is not None else -1

    def failure_line(self, exc: BaseException) -> int | None:
        """The line of the failing statement the warehouse points at: PostgreSQL and DuckDB
        both quote it as `LINE n:` in their messages."""
        match = re.search(r"\bLINE (\d+):", str(exc))
        return int(match.group(1)) if match else None

    def describe_failure(self, exc: BaseException, label: str) -> str:
        message = " ".join(str(exc).split())
        where = f" in {label}" if label else ""
        return f"target '{self.name}'{where}: {message}"

    #: bind parameters one statement may carry (the PostgreSQL wire protocol's and
    #: redshift_connector's limit is 32767)
    max_parameters: ClassVar[int] = 32767

    def bulk_insert(self, session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Append rows to `table` (`schema.name`, checked by the caller) and return how many.

        Each row holds one value per column in `columns` order: None, str, int, float,
        Decimal, bool or a naive UTC datetime. Runs inside whatever transaction the session
        is in, so a caller's `session.transaction()` makes the whole load all-or-nothing.

        This default is the portable one: multi-row `INSERT ... VALUES` with `%s` bind
        parameters (the DB-API "format" style of psycopg and redshift_connector), as many
        rows per statement as `max_parameters` allows. Targets with a bulk path of their own
        override it: PostgreSQL streams COPY, DuckDB reads a temporary CSV.
        """
        per_statement = max(1, self.max_parameters // len(columns))
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        cursor, count, iterator = self.cursor(session.connection), 0, iter(rows)
        try:
            while batch := list(islice(iterator, per_statement)):
                cursor.execute(head + ", ".join([one_row] * len(batch)), [v for row in batch for v in row])
                count += len(batch)
        except self.driver_errors as exc:
            raise QueryError(self.describe_failure(exc, f"bulk insert into {table}")) from exc
        finally:
            self.close_cursor(cursor)
        return count

    def planned_rows(self, session: Session, table: str) -> float | None:
        """The rows the planner believes `table` holds, from its last ANALYZE: negative when it
        was never analysed, None when the target cannot say (then only what a run writes and
        reads again is analysed; see statistics.py)."""
        return None

    def reclaim(self, session: Session, tables: Sequence[str]) -> None:
        """Make the space of the rows just deleted from `tables` (staged tables whose batches
        every consumer is past) reusable, outside any transaction. Nothing here: DuckDB frees
        row groups left empty at its checkpoint."""

    def prepare_loading(self, session: Session) -> None:
        """Settings for a session about to load files (each file one transaction); none here."""

    def stage_text(self, session: Session, name: str, columns: Sequence[str], text: bytes, fmt: str,
                   rows: int) -> None:
        """Make `name` a temporary relation of the `rows` records in `text`: a BIGINT column
        `ordinal` (1, 2... in the order of the text), then `columns`, all text; an empty field
        is NULL. `fmt` is "tsv" (tab-separated lines, no quoting or escaping) or "csv"
        (RFC 4180). A later call replaces what `name` held. Runs inside the session's
        transaction; raises StagingError, leaving that transaction usable, when the warehouse
        cannot read exactly `rows` records of `len(columns)` fields from the text.

        Only targets with a bulk path for text have it (DuckDB's CSV reader, PostgreSQL's
        COPY); `sluice load` falls back to `bulk_insert` of rows typed in Python elsewhere."""
        raise NotImplementedError(f"target type '{self.type_name}' has no bulk text staging")

    # -- sessions --------------------------------------------------------------------------
    def connect(self) -> Session:
        """Open one more session (its own connection) and remember it for close()."""
        session = Session(self, self._open_connection())
        with self._lock:
            self._sessions.append(session)
        return session

    def disconnect(self, session: Session) -> None:
        """Close one session connect() opened, before the target closes."""
        with self._lock:
            if session in self._sessions:
                self._sessions.remove(session)
        session.close()

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
