"""Writing chunks of records into a target's input tables, inside the file's transaction.

Where the target can stage text in bulk (`Target.stage_text`: DuckDB's CSV reader,
PostgreSQL's COPY), the warehouse does the work: a chunk is staged as text columns, then
set-based SQL checks and casts every value, shreds the contexts with the warehouse's JSON
functions and inserts the good rows (`load_duckdb.py`, `load_postgres.py`; they differ
because DuckDB has TRY_CAST but no savepoints, PostgreSQL savepoints but no TRY_CAST).
Python reads only the rows the warehouse rejected, to write why (`load_records.explain`).
Elsewhere (Redshift, whose COPY reads S3) rows are typed in Python and appended with
`Target.bulk_insert`: the portable path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sluice.events.snowplow.load_read import Chunk, Layout, staged_or_checked
from sluice.events.snowplow.load_records import EventParser, Reject, explain
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, CONTEXTS, Context
from sluice.targets import Session, Target

#: rows typed in Python and appended per bulk_insert on the portable path
PORTABLE_BATCH = 5_000


@dataclass(frozen=True)
class Tables:
    """The input tables of one load: `schema.events<entropy>` and the context tables."""

    events: str
    contexts: dict[Context, str]

    @classmethod
    def named(cls, schema: str, entropy: str) -> Tables:
        return cls(f"{schema}.events{entropy}", {c: f"{schema}.{c.table}{entropy}" for c in CONTEXTS})


@dataclass
class Written:
    """What one chunk added: events, rows per context table, and its rejects (line, reason)."""

    rows: int = 0
    contexts: dict[str, int] = field(default_factory=lambda: {c.table: 0 for c in CONTEXTS})
    rejected: list[tuple[int, str]] = field(default_factory=list)


class Writer:
    """Writes the chunks of one file (one layout) into the target."""

    #: chunks of this many times `load_read.CHUNK_BYTES`: larger ones spread each
    #: statement's fixed cost wider, smaller ones hold less in memory
    chunk_scale: int = 1

    def __init__(self, target: Target, session: Session, tables: Tables, layout: Layout):
        self.target = target
        self.session = session
        self.tables = tables
        self.layout = layout

    def write(self, chunk: Chunk) -> Written:
        raise NotImplementedError


class StagedWriter(Writer):
    """Stages each chunk as text with `Target.stage_text`, then lets the warehouse type and
    insert it. Subclasses supply the SQL."""

    def __init__(self, target: Target, session: Session, tables: Tables, layout: Layout):
        super().__init__(target, session, tables, layout)
        # one staging relation per shape of staged row (the CSV context columns vary)
        self.stage = f"sluice_stage_{len(layout.columns)}"

    def write(self, chunk: Chunk) -> Written:
        chunk = staged_or_checked(chunk, self._stage)
        written = Written(rejected=list(chunk.rejected))
        if chunk.lines:
            refused = self.insert(written)
            written.rejected += self._reasons(chunk, refused)
        written.rejected.sort()
        return written

    def insert(self, written: Written) -> dict[int, str]:
        """Insert the staged rows that load, counting them into `written`; return the
        ordinals of those the warehouse refused, with the check that refused each."""
        raise NotImplementedError

    def _stage(self, chunk: Chunk) -> None:
        if chunk.lines:
            self.target.stage_text(self.session, self.stage, self.layout.columns, chunk.text, self.layout.fmt,
                                   len(chunk.lines))

    def _reasons(self, chunk: Chunk, refused: dict[int, str]) -> list[tuple[int, str]]:
        """(line, reason) of each refused row, from its staged text; the warehouse's own
        words when Python finds nothing wrong with it."""
        if not refused:
            return []
        listed = ", ".join(str(n) for n in sorted(refused))
        rows = self.session.fetch(f"SELECT ordinal, {', '.join(self.layout.columns)} FROM {self.stage} "
                                  f"WHERE ordinal IN ({listed}) ORDER BY ordinal", label="rejected rows").rows
        reasons = []
        for ordinal, *record in rows:
            why = explain(list(record), self.layout) or f"{self.target.type_name} cannot load it: {refused[ordinal]}"
            reasons.append((chunk.lines[ordinal - 1], why))
        return reasons


class PortableWriter(Writer):
    """Types rows in Python (`load_records.EventParser`) and appends them with
    `Target.bulk_insert`: for targets without bulk text staging."""

    def __init__(self, target: Target, session: Session, tables: Tables, layout: Layout):
        super().__init__(target, session, tables, layout)
        self.parser = EventParser()

    def write(self, chunk: Chunk) -> Written:
        chunk = chunk if chunk.checked else chunk.strict()
        written = Written(rejected=list(chunk.rejected))
        records = zip(chunk.lines, chunk.rows(), strict=True)
        while batch := list(islice(records, PORTABLE_BATCH)):
            self._append(batch, written)
        written.rejected.sort()
        return written

    def _append(self, batch: Sequence[tuple[int, list[str | None]]], written: Written) -> None:
        contexts: dict[Context, list[list[Any]]] = {c: [] for c in CONTEXTS}
        events = []
        for line, record in batch:
            try:
                events.append(self.parser.parse(record, self.layout, contexts))
            except Reject as exc:
                written.rejected.append((line, str(exc)))
        written.rows += self.target.bulk_insert(self.session, self.tables.events, ATOMIC_COLUMNS, events)
        for context, rows in contexts.items():
            if rows:
                columns = ["root_id", "root_tstamp", *(column for _, column, _ in context.fields)]
                written.contexts[context.table] += self.target.bulk_insert(
                    self.session, self.tables.contexts[context], columns, rows)
