"""Writing one RudderStack file's chunks into its table, inside the file's transaction.

`TableWriter` keeps what the table has: each column's kind (from the warehouse, or declared
by `schema.py`, or the first value's), and creates the table or adds a column before a chunk
needs it, as RudderStack's loader does when a new property appears. Then:

- `StagedWriter` (DuckDB, PostgreSQL): the chunk is staged as text (`Target.stage_text`) and
  `load_sql.FileSql` checks, types and inserts it in the warehouse; Python reads back only the
  rows it refused, to say why.
- `PortableWriter` (Redshift, whose COPY reads S3): rows are typed in Python
  (`load_values`) and appended with `Target.bulk_insert`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice
from typing import Any

from sluice.errors import QueryError, SluiceError
from sluice.events.rudderstack.load_read import Chunk
from sluice.events.rudderstack.load_sql import CLOCKS, DuckDBValues, FileSql, PostgresValues, ValueSql, quote
from sluice.events.rudderstack.load_values import DATETIME, STRING, classify, convert, discard_reason, show
from sluice.events.rudderstack.schema import CALL, CLIENT_CONTEXT, SESSION_START, TABLES, TRACK, Column
from sluice.events.snowplow.load_read import staged_or_checked
from sluice.targets import Session, Target

#: the kinds of the standard columns, for a table schema.py does not list (an event table
#: of another app): call, track and context columns; other columns are typed by their values
STANDARD_KINDS: dict[str, str] = dict(CALL + TRACK + SESSION_START + CLIENT_CONTEXT)
#: rows typed in Python and appended per bulk_insert on the portable path
PORTABLE_BATCH = 5_000
DISCARD_COLUMNS = ("row_id", "table_name", "column_name", "column_value", "reason", "received_at", "uuid_ts")


def declared_kind(table: str, column: str) -> str | None:
    """The kind schema.py gives `column` of `table`, if it gives one."""
    known = TABLES.get(table)
    columns: dict[str, str] = dict(known.columns) if known else {}
    return columns.get(column, STANDARD_KINDS.get(column))


@dataclass(frozen=True)
class FileTarget:
    """Where one file goes: its table and `rudder_discards`, and the load's stamp."""

    table_name: str
    relation: str
    discards: str
    stamp: datetime
    #: (relation, [(column, kind)], table exists) -> the DDL that creates or widens it
    ddl: Callable[[str, list[Column], bool], str]


@dataclass
class Written:
    """What one chunk added: rows, discarded values, and its rejects (line, reason)."""

    rows: int = 0
    discarded: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    #: columns this chunk added to the table
    added: list[str] = field(default_factory=list)


class TableWriter:
    """The chunks of one file into its table. `kinds` is what the table has (None: no table)."""

    #: chunks of this many times `load_read.CHUNK_BYTES`
    chunk_scale: int = 1

    def __init__(self, target: Target, session: Session, where: FileTarget, header: Sequence[str],
                 kinds: dict[str, str] | None):
        self.target = target
        self.session = session
        self.where = where
        self.header = tuple(header)
        self.kinds = kinds
        self.width = len(header)

    def begin(self) -> list[str]:
        """Create the table or add the columns the header has that schema.py declares, and
        `id` and `uuid_ts`; the others wait for their first value. Returns the columns added."""
        declared = [(c, k) for c in self.header if (k := declared_kind(self.where.table_name, c))]
        # every row has an id and a load time, whatever the file holds
        return self._add([("id", STRING), *declared, ("uuid_ts", DATETIME)])

    def pending(self) -> list[str]:
        """Header columns the table does not have yet."""
        assert self.kinds is not None
        return [c for c in self.header if c not in self.kinds]

    def type_by_first_values(self, firsts: dict[str, str]) -> list[str]:
        """Add the columns whose first value the chunk holds, typed by it."""
        return self._add([(c, classify(firsts[c])) for c in self.header if c in firsts])

    def _add(self, columns: list[Column]) -> list[str]:
        have = self.kinds or {}
        new = list(dict(c for c in columns if c[0] not in have).items())
        if new or self.kinds is None:
            self.session.execute(self.where.ddl(self.where.relation, new, self.kinds is not None),
                                 label=f"columns of {self.where.relation}")
            self.kinds = {**have, **dict(new)}
        return [c for c, _ in new]

    def write(self, chunk: Chunk) -> Written:
        raise NotImplementedError


class StagedWriter(TableWriter):
    """Stages each chunk as text, then lets the warehouse check, type and insert it."""

    values: ValueSql

    def __init__(self, target: Target, session: Session, where: FileTarget, header: Sequence[str],
                 kinds: dict[str, str] | None):
        super().__init__(target, session, where, header, kinds)
        self.stage = f"sluice_rs_stage_{self.width}"
        self.staged = tuple(f"c{n}" for n in range(1, self.width + 1))
        stamp = f"CAST('{where.stamp.isoformat(sep=' ')}' AS TIMESTAMP)"
        self.sql = FileSql(self.values, self.stage, dict(zip(self.header, self.staged, strict=True)),
                           where.relation, where.table_name, where.discards, stamp)

    def write(self, chunk: Chunk) -> Written:
        chunk = staged_or_checked(chunk, self._stage)
        written = Written(rejected=list(chunk.rejected))
        if chunk.lines:
            written.added += self._type_pending()
            self.insert(written)
            if written.rows < len(chunk.lines):  # only then is there a row to explain
                refused = self._refused(chunk)
                if written.rows + len(refused) != len(chunk.lines):
                    raise SluiceError(f"lines {chunk.lines[0]}-{chunk.lines[-1]}: {written.rows} rows loaded and "
                                      f"{len(refused)} refused of {len(chunk.lines)}")
                written.rejected += refused
        written.rejected.sort()
        return written

    def insert(self, written: Written) -> None:
        """Insert the staged chunk's good rows and discard what does not fit, counting both
        into `written`."""
        raise NotImplementedError

    def _stage(self, chunk: Chunk) -> None:
        if chunk.lines:
            self.target.stage_text(self.session, self.stage, self.staged, chunk.text, "csv", len(chunk.lines))

    def _refused(self, chunk: Chunk) -> list[tuple[int, str]]:
        """(line, reason) of the rows the insert left out."""
        rows = self.session.fetch(self.sql.refused(), label="rows that cannot load").rows
        return [(chunk.lines[ordinal - 1], row_problem(values) or f"{self.target.type_name} cannot load it")
                for ordinal, *values in rows]

    def _type_pending(self) -> list[str]:
        pending = self.pending()
        if not pending:
            return []
        ordinals = dict(zip(pending, self.session.fetch(self.sql.first_ordinals(pending), label="first values").rows[0],
                            strict=True))
        found = {c: n for c, n in ordinals.items() if n is not None}
        if not found:
            return []
        rows = self.session.fetch(self.sql.rows_at(list(found), sorted(set(found.values()))), label="first values").rows
        at = {ordinal: dict(zip(found, texts, strict=True)) for ordinal, *texts in rows}
        return self.type_by_first_values({c: at[n][c] for c, n in found.items()})


class DuckDBWriter(StagedWriter):
    """Two statements a chunk: the insert, then the discards (DuckDB has no data-modifying
    CTE); each reads the staged text again, which costs less than storing it."""

    #: DuckDB runs each statement on every core, and pays per statement more than per row
    chunk_scale = 4
    values = DuckDBValues()

    def __init__(self, target: Target, session: Session, where: FileTarget, header: Sequence[str],
                 kinds: dict[str, str] | None):
        super().__init__(target, session, where, header, kinds)
        # a TIMESTAMPTZ cast reads a text without a zone in the session's time zone
        self.session.execute("SET TimeZone = 'UTC'", label="load settings")

    def insert(self, written: Written) -> None:
        assert self.kinds is not None
        written.rows = self.session.execute(self.sql.insert(self.kinds),
                                            label=f"insert into {self.where.relation}").rows_affected
        discarded = self.sql.discarded(self.kinds)
        if discarded:
            label = f"insert into {self.where.discards}"
            written.discarded = self.session.execute(discarded, label=label).rows_affected


class PostgresWriter(StagedWriter):
    """One statement a chunk (`FileSql.checked_insert`), its tests `optimistic` first, inside a
    savepoint: a value that makes a cast raise rolls the chunk back to it, and the statement
    runs again with the tests that never raise."""

    values = PostgresValues()

    def __init__(self, target: Target, session: Session, where: FileTarget, header: Sequence[str],
                 kinds: dict[str, str] | None):
        super().__init__(target, session, where, header, kinds)
        self.optimistic = replace(self.sql, values=PostgresValues(optimistic=True))
        # per transaction: a text without a zone is UTC; JIT compiling the chunk's statements
        # costs more than it saves; a chunk's checked rows stay in memory
        self.session.execute("SET LOCAL TimeZone = 'UTC'; SET LOCAL jit = off; SET LOCAL work_mem = '256MB'",
                             label="load settings")

    def insert(self, written: Written) -> None:
        assert self.kinds is not None
        label = f"insert into {self.where.relation}"
        self.session.execute("SAVEPOINT sluice_chunk", label="savepoint")
        try:
            rows, discarded = self.session.fetch(self.optimistic.checked_insert(self.kinds), label=label).rows[0]
        except QueryError as exc:
            if getattr(exc.__cause__, "sqlstate", "")[:2] != "22":  # not a data_exception
                raise
            self.session.execute("ROLLBACK TO SAVEPOINT sluice_chunk", label="savepoint")
            rows, discarded = self.session.fetch(self.sql.checked_insert(self.kinds), label=label).rows[0]
        self.session.execute("RELEASE SAVEPOINT sluice_chunk", label="savepoint")
        written.rows, written.discarded = rows, discarded


def row_problem(values: Sequence[str | None]) -> str | None:
    """Why a row cannot load, from its id and clocks (in `CLOCKS` order); None when it can."""
    row_id, *clocks = values
    if row_id is None:
        return "missing id"
    for name, text in zip(CLOCKS, clocks, strict=True):
        if text is not None:
            try:
                convert(text, DATETIME)
            except ValueError:
                return f"{name}: not a timestamp: {show(text)}"
    return None


class PortableWriter(TableWriter):
    """Types rows in Python and appends them with `Target.bulk_insert`: for targets with
    no bulk text staging (Redshift)."""

    def write(self, chunk: Chunk) -> Written:
        chunk = chunk if chunk.checked else chunk.strict()
        written = Written(rejected=list(chunk.rejected))
        good = []
        index = {name: i for i, name in enumerate(self.header)}
        for line, record in zip(chunk.lines, chunk.rows(), strict=True):
            reason = row_problem([record[index[c]] if c in index else None for c in ("id", *CLOCKS)])
            if reason:
                written.rejected.append((line, reason))
            else:
                good.append(record)
        firsts = {}
        for column in self.pending():
            first = next((r[index[column]] for r in good if r[index[column]] is not None), None)
            if first is not None:
                firsts[column] = first
        written.added += self.type_by_first_values(firsts)
        records = iter(good)
        while batch := list(islice(records, PORTABLE_BATCH)):
            self._append(batch, written)
        written.rejected.sort()
        return written

    def _append(self, batch: list[list[str | None]], written: Written) -> None:
        assert self.kinds is not None
        names = [(i, n, self.kinds[n]) for i, n in enumerate(self.header) if n in self.kinds and n != "uuid_ts"]
        at = self.header.index("uuid_ts") if "uuid_ts" in self.header else None
        received = self.header.index("received_at") if "received_at" in self.header else None
        rows, discards = [], []
        for record in batch:
            loaded = convert(record[at], DATETIME) if at is not None and record[at] is not None else self.where.stamp
            row: list[Any] = []
            for i, name, kind in names:
                text = record[i]
                try:
                    row.append(None if text is None else convert(text, kind))
                except ValueError:
                    row.append(None)
                    arrived = convert(record[received], DATETIME) if received is not None and record[received] else None
                    discards.append([record[self.header.index("id")], self.where.table_name, name, text,
                                     discard_reason(kind, text), arrived, loaded])
            rows.append([*row, loaded])
        columns = [quote(n) for _, n, _ in names] + [quote("uuid_ts")]
        written.rows += self.target.bulk_insert(self.session, self.where.relation, columns, rows)
        if discards:
            written.discarded += self.target.bulk_insert(self.session, self.where.discards, DISCARD_COLUMNS, discards)


WRITERS: dict[str, type[TableWriter]] = {"duckdb": DuckDBWriter, "postgres": PostgresWriter}


def writer_for(dialect: str) -> type[TableWriter]:
    """The set-based writer of the dialect; any other target takes the portable one."""
    return WRITERS.get(dialect, PortableWriter)
