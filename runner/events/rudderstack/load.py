"""`sluice load --source rudderstack PATH`: RudderStack warehouse exports into `rs_schema`.

Each CSV file holds one table's rows (`tracks.csv`, `pages.csv`, `order_completed.csv`...).
A table is created when it first appears and a column added when a file first brings it, as
RudderStack's loader does: standard columns with the kinds `schema.py` declares, any other by
its first value (`load_values`). A column a file lacks is NULL. Values that do not fit their
column's type are stored as NULL and logged in `rudder_discards`; rows that cannot load at all
(no id, a clock that is no timestamp, a wrong field count) are rejected, with their file, line
and reason, into the rejects file. Each file is one transaction.

`uuid_ts`, RudderStack's load time, is kept where a row has it, else stamped with the load's
time: one value for every file of a load (a batch folder, or all of PATH), read from the
warehouse's clock when the load starts, so the rows of one load share it.

The work is split as for Snowplow: `load_read.py` finds the files and reads them in chunks;
`load_write.py` creates and widens the tables and has the warehouse type and insert each
chunk (`load_sql.py`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sluice import resources
from sluice.config import Project
from sluice.errors import SluiceError
from sluice.events.rudderstack import load_read
from sluice.events.rudderstack.load_read import DISCARDS, Load, identifier, loads, read_chunks, table_of
from sluice.events.rudderstack.load_values import BOOLEAN, DATETIME, FLOAT, INT, STRING
from sluice.events.rudderstack.load_write import FileTarget, TableWriter, writer_for
from sluice.events.rudderstack.schema import Column
from sluice.events.snowplow.load import LoadSummary
from sluice.events.snowplow.load_read import Rejects, default_rejects_path, whole_file_or_nothing
from sluice.families import loader_variables
from sluice.output import Reporter, quiet_reporter
from sluice.render.identifiers import check_length, fold
from sluice.render.renderer import Renderer
from sluice.targets import Session, Target

__all__ = ["RudderLoadSummary", "load_rudderstack"]

DDL = Path("sql") / "input" / "rudderstack"
#: RudderStack's kinds as the kinds of the `column_type` macro (sql/macros/ddl.sql)
COLUMN_TYPE_KINDS = {STRING: "string", INT: "integer", FLOAT: "double", BOOLEAN: "boolean", DATETIME: "timestamp"}


def kind_of_type(data_type: str) -> str:
    """The RudderStack kind of a column the warehouse already has, from its data type."""
    name = data_type.lower()
    if name.startswith(("timestamp", "date")):
        return DATETIME
    if name in ("bigint", "integer", "int", "smallint", "tinyint", "hugeint", "int8", "int4", "int2"):
        return INT
    if name.startswith(("double", "real", "float", "numeric", "decimal")):
        return FLOAT
    return BOOLEAN if name in ("boolean", "bool") else STRING


@dataclass
class RudderLoadSummary(LoadSummary):
    """`LoadSummary` (files, rows, rejects, the files whose every record was rejected) with
    what a RudderStack load adds: rows per table, values discarded, columns added."""

    contexts: dict[str, int] = field(default_factory=dict)
    loads: int = 0
    discarded: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    #: tables created, and columns added to tables that were there before
    created: list[str] = field(default_factory=list)
    added: dict[str, list[str]] = field(default_factory=dict)

    def add(self, other: LoadSummary) -> None:
        super().add(other)
        if isinstance(other, RudderLoadSummary):
            self.discarded += other.discarded
            self.created += other.created
            for table, rows in other.tables.items():
                self.tables[table] = self.tables.get(table, 0) + rows
            for table, columns in other.added.items():
                self.added.setdefault(table, []).extend(columns)

    def line(self) -> str:
        rate = f" ({self.rows / self.seconds:,.0f} rows/s)" if self.seconds > 0 and self.rows else ""
        where = f" (see {self.rejects_file})" if self.rejected and self.rejects_file else ""
        tables = ", ".join(f"{t} {n}" for t, n in self.tables.items())
        return (f"loaded {self.files} file{'s' * (self.files != 1)} in {self.loads} "
                f"load{'s' * (self.loads != 1)}: {self.rows} rows, {self.rejected} rejected{where}, "
                f"{self.discarded} values discarded; tables: {tables or 'none'}; {self.seconds:.2f}s{rate}")


class RudderLoader:
    """Loads RudderStack files into one target's `rs_schema`, each file in one transaction."""

    def __init__(self, project: Project, target: Target, session: Session, variables: dict[str, Any],
                 rejects: Rejects, reporter: Reporter | None = None):
        self.project = project
        self.target = target
        self.session = session
        self.variables = variables
        self.rejects = rejects
        self.reporter = reporter or quiet_reporter()
        self.renderer = Renderer(target.dialect, [project.root / "sql" / "macros"])
        self.schema = variables["rs_schema"]
        self.discards = self.relation(DISCARDS)

    def relation(self, table: str) -> str:
        dialect = self.target.dialect
        return f"{self.schema}.{check_length(fold(table + str(self.variables['entropy']), dialect), dialect)}"

    def _render(self, name: str, **context: Any) -> str:
        source = self.project.root / DDL / name
        if not source.is_file():
            source = resources.input_ddl(f"rudderstack/{name}")
        return self.renderer.render(source.read_text(), {**self.variables, **context}, str(source))

    def setup(self) -> None:
        """The target's loading settings, and the schema and `rudder_discards` when missing."""
        self.target.prepare_loading(self.session)
        self.session.execute(self._render("01-schema.sql"), label=str(DDL / "01-schema.sql"))

    def table_ddl(self, relation: str, columns: list[Column], exists: bool) -> str:
        typed = [(name, COLUMN_TYPE_KINDS[kind]) for name, kind in columns]
        return self._render("02-columns.sql", relation=relation, columns=typed, exists=exists)

    def stamp(self) -> datetime:
        """The warehouse's clock now, in UTC: the uuid_ts of a load's rows that have none."""
        sql = self.renderer.render("SELECT {{ current_ts() }}", {}, "load stamp")
        return self.session.fetch(sql, label="load stamp").rows[0][0]

    def columns(self, table: str) -> dict[str, str] | None:
        """Each column the table has, with its kind; None when there is no table."""
        name = fold(table + str(self.variables["entropy"]), self.target.dialect)
        rows = self.session.fetch(self.target.columns_query, {"schema": self.schema, "name": name},
                                  label="table columns").rows
        if not rows:
            return None
        return {fold(column, self.target.dialect): kind_of_type(data_type) for column, data_type in rows}

    def load_file(self, path: Path, stamp: datetime) -> RudderLoadSummary:
        with whole_file_or_nothing(path):
            return self._load(path, stamp)

    def _load(self, path: Path, stamp: datetime) -> RudderLoadSummary:
        dialect = self.target.dialect
        table = identifier(table_of(path) or "", "table", dialect)
        result = RudderLoadSummary(files=1, tables={table: 0})
        kind = writer_for(dialect)
        with read_chunks(path, load_read.CHUNK_BYTES * kind.chunk_scale) as (header, chunks):
            names = _column_names(header.names, dialect)
            with self.session.transaction():
                writer = self._writer(kind, table, names, stamp)
                created = writer.kinds is None
                added = writer.begin()
                for chunk in chunks:
                    written = writer.write(chunk)
                    result.rows += written.rows
                    result.discarded += written.discarded
                    added += written.added
                    for line, reason in written.rejected:
                        self.rejects.add(path, line, reason)
                    result.rejected += len(written.rejected)
                    self.reporter.rows_loaded(path, written.rows)
        result.tables[table] = result.rows
        if created:
            result.created.append(table)
        elif added:
            result.added[table] = added
        return result

    def _writer(self, kind: type[TableWriter], table: str, names: list[str], stamp: datetime) -> TableWriter:
        where = FileTarget(table, self.relation(table), self.discards, stamp, self.table_ddl)
        return kind(self.target, self.session, where, names, self.columns(table))


def _column_names(header: tuple[str, ...], dialect: str) -> list[str]:
    """The header's names as the warehouse holds them; SluiceError for no header or a name
    twice."""
    if not header:
        raise SluiceError("no header row")
    names = [identifier(n, "column", dialect) for n in header]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SluiceError(f"column(s) {', '.join(twice)} appear more than once in the header")
    return names


def load_rudderstack(project: Project, target_name: str | None, cli_vars: dict[str, Any], path: Path,
                     rejects_path: Path | None = None, reporter: Reporter | None = None) -> RudderLoadSummary:
    """`sluice load --source rudderstack`: every load under `path` into the target's rs_schema."""
    started = time.monotonic()
    found = loads(path)
    target = project.target(target_name)
    variables = loader_variables(project, "rudderstack", cli_vars, target.dialect)
    rejects = Rejects(rejects_path or default_rejects_path(path, project.root))
    summary = RudderLoadSummary(rejects_file=rejects.path)
    try:
        with target:
            loader = RudderLoader(project, target, target.connect(), variables, rejects, reporter)
            loader.setup()
            loader.reporter.load_started(sum(table_of(f) != DISCARDS for load in found for f in load.files),
                                         "rudderstack")
            for load in found:
                _load_one(loader, load, summary)
    finally:
        rejects.close()
    summary.seconds = time.monotonic() - started
    return summary


def _load_one(loader: RudderLoader, load: Load, summary: RudderLoadSummary) -> None:
    stamp = loader.stamp()
    summary.loads += 1
    for file in load.files:
        if table_of(file) == DISCARDS:
            loader.reporter.warning(f"{file}: skipped: sluice load writes {DISCARDS} itself")
            continue
        started = time.monotonic()
        with summary.next_file():
            result = loader.load_file(file, stamp)
        summary.file_loaded(file, result)
        loader.reporter.file_loaded(file, result.rows, result.rejected, time.monotonic() - started,
                                    f", {result.discarded} discarded{_changes(result)}", discarded=result.discarded,
                                    created=result.created, added=result.added)


def _changes(result: RudderLoadSummary) -> str:
    if result.created:
        return ", new table"
    columns = [c for added in result.added.values() for c in added]
    return f", new columns: {', '.join(columns)}" if columns else ""
