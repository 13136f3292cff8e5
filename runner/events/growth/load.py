"""`sluice load --source growth PATH`: the growth-analytics CSVs into `growth_raw_schema`.

PATH is one file (`sessions.csv`, `conversions.csv`, or `.csv.gz`), a folder of them (loaded in
name order), or a folder of batch folders (what `sluice generate --source growth` writes). The
header names the columns (any order; a missing or unknown column fails the file).

Each file is one transaction and one load batch: a row of `growth_loads` with the next batch
id (its primary key makes two loaders that race for one id fail rather than share it), and
every row the file adds carries that id. As for the other sources the text is staged and the
warehouse types it (`load_sql`'s value rules): a row with a value that does not fit its column
is rejected with file, line and reason; an empty field is NULL (the modules' critical checks
decide what a NULL means). Each added row carries the MD5 of its typed values: a row the table
already holds, from any batch, is not added again, so a file sent twice adds nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sluice import resources
from sluice.config import Project
from sluice.errors import SluiceError
from sluice.events.growth.schema import LOADS, RAW_TABLES, RawTable
from sluice.events.rudderstack.load_read import Chunk, Load, loads, read_chunks, table_of
from sluice.events.rudderstack.load_sql import DuckDBValues, PostgresValues, ValueSql
from sluice.events.rudderstack.load_values import convert
from sluice.events.snowplow.load import LoadSummary
from sluice.events.snowplow.load_read import Rejects, default_rejects_path, whole_file_or_nothing
from sluice.families import loader_variables
from sluice.output import Reporter
from sluice.render.renderer import Renderer
from sluice.targets import Session, Target

__all__ = ["GrowthLoadSummary", "load_growth"]

DDL = "growth"


@dataclass(frozen=True)
class Staging:
    """What the loader needs of a warehouse whose text staging it uses: its value rules, and
    the setting each file's transaction starts with (a text without a zone is UTC: a
    TIMESTAMPTZ cast reads it in the session's time zone)."""

    values: ValueSql
    settings: str


STAGING: dict[str, Staging] = {
    "duckdb": Staging(DuckDBValues(), "SET TimeZone = 'UTC'"),
    "postgres": Staging(PostgresValues(), "SET LOCAL TimeZone = 'UTC'"),
}


@dataclass
class GrowthLoadSummary(LoadSummary):
    """Files, rows added, rejects; and the rows left out because the table held them already."""

    already_loaded: int = 0

    def add(self, other: LoadSummary) -> None:
        super().add(other)
        if isinstance(other, GrowthLoadSummary):
            self.already_loaded += other.already_loaded

    def line(self) -> str:
        where = f" (see {self.rejects_file})" if self.rejected and self.rejects_file else ""
        return (f"loaded {self.files} file{'s' * (self.files != 1)}: {self.rows} rows added, "
                f"{self.already_loaded} already loaded, {self.rejected} rejected{where}; {self.seconds:.2f}s")


class GrowthLoader:
    """Loads growth files into one target's `growth_raw_schema`, each file in one transaction."""

    def __init__(self, project: Project, target: Target, session: Session, variables: dict[str, Any],
                 rejects: Rejects):
        if target.dialect not in STAGING:
            raise SluiceError(f"sluice load --source growth stages text through DuckDB's CSV reader or "
                              f"PostgreSQL's COPY; target '{target.name}' is {target.dialect}")
        self.target = target
        self.session = session
        self.variables = variables
        self.rejects = rejects
        self.staging = STAGING[target.dialect]
        self.values = self.staging.values
        self.renderer = Renderer(target.dialect, [project.root / "sql" / "macros"])
        self.schema = variables["growth_raw_schema"]

    def relation(self, table: str) -> str:
        return f"{self.schema}.{table}{self.variables['entropy']}"

    def _render(self, name: str, **context: Any) -> str:
        source = resources.input_ddl(f"{DDL}/{name}")
        return self.renderer.render(source.read_text(), {**self.variables, **context}, str(source))

    def setup(self) -> None:
        """The target's loading settings, and the input tables when missing."""
        self.target.prepare_loading(self.session)
        self.session.execute(self._render("01-schema.sql"), label="growth input tables")

    def load_file(self, path: Path) -> GrowthLoadSummary:
        with whole_file_or_nothing(path):
            return self._load(path, raw_table(path))

    def _load(self, path: Path, table: RawTable) -> GrowthLoadSummary:
        result = GrowthLoadSummary(files=1)
        read = 0
        with read_chunks(path) as (header, chunks):
            staged = staged_columns(header.names, table)
            with self.session.transaction():
                self.session.execute(self.staging.settings, label="load settings")
                batch = self._next_batch()
                for chunk in chunks:
                    read += len(chunk.lines) + len(chunk.rejected)
                    self._write(chunk, table, staged, batch, result)
                result.already_loaded = read - result.rows - result.rejected
                self.session.execute(
                    f"INSERT INTO {self.relation(LOADS)} (load_batch_id, source_table, source_file, rows_read, "
                    f"rows_added, rows_rejected, loaded_tstamp) VALUES ({batch}, '{table.name}', :file, {read}, "
                    f"{result.rows}, {result.rejected}, {self._now()})", {"file": str(path)}, label=LOADS)
        return result

    def _next_batch(self) -> int:
        rows = self.session.fetch(f"SELECT COALESCE(MAX(load_batch_id), 0) + 1 FROM {self.relation(LOADS)}",
                                  label="next load batch").rows
        return int(rows[0][0])

    def _now(self) -> str:
        return self.renderer.render("{{ current_ts() }}", {}, "load time")

    def _write(self, chunk: Chunk, table: RawTable, staged: dict[str, str], batch: int,
               result: GrowthLoadSummary) -> None:
        for line, reason in chunk.rejected:
            self.rejects.add(chunk.path, line, reason)
        result.rejected += len(chunk.rejected)
        if not chunk.lines:
            return
        stage = f"sluice_growth_stage_{len(staged)}"
        in_file_order = [f"c{n}" for n in range(1, len(staged) + 1)]
        self.target.stage_text(self.session, stage, in_file_order, chunk.text, "csv", len(chunk.lines))
        texts = {name: self.values.text(f"s.{column}") for name, column in staged.items()}
        good = " AND ".join(f"({texts[n]} IS NULL OR coalesce({self.values.fits(texts[n], kind)}, false))"
                            for n, kind in table.columns)
        typed = [(n, f"CASE WHEN {texts[n]} IS NOT NULL THEN {self.values.cast(texts[n], kind)} END")
                 for n, kind in table.columns]
        sql = self._render("02-insert.sql", relation=self.relation(table.name), stage=stage, typed=typed, good=good,
                           load_batch_id=batch)
        result.rows += self.session.execute(sql, label=f"insert into {self.relation(table.name)}").rows_affected
        refused = self.session.fetch(f"SELECT s.ordinal, {', '.join(texts.values())} FROM {stage} AS s "
                                     f"WHERE NOT ({good}) ORDER BY s.ordinal", label="rows that cannot load").rows
        for ordinal, *values in refused:
            self.rejects.add(chunk.path, chunk.lines[ordinal - 1], value_problem(table, values))
        result.rejected += len(refused)


def raw_table(path: Path) -> RawTable:
    """The raw table a file loads into, from its name."""
    name = table_of(path) or ""
    if name not in RAW_TABLES:
        raise SluiceError(f"a growth file is named after its table ({', '.join(RAW_TABLES)}), not {name!r}")
    return RAW_TABLES[name]


def staged_columns(header: tuple[str, ...], table: RawTable) -> dict[str, str]:
    """Each of the table's columns -> its staged column (`c1`... in the header's order)."""
    names = [n.strip().lower() for n in header]
    missing = [c for c in table.column_names if c not in names]
    unknown = [n for n in names if n not in table.column_names]
    if missing or unknown or len(set(names)) != len(names):
        raise SluiceError(f"the header must name {', '.join(table.column_names)} once each "
                          f"(missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'})")
    return {name: f"c{names.index(name) + 1}" for name in table.column_names}


def value_problem(table: RawTable, values: list[str | None]) -> str:
    """Why the warehouse refused a row: its first value that does not fit its column."""
    for (name, kind), text in zip(table.columns, values, strict=True):
        if text is None or text == "":
            continue
        try:
            convert(text, kind)
        except ValueError as exc:
            return f"{name}: {exc}"
    return "the warehouse cannot load it"


def load_growth(project: Project, target_name: str | None, cli_vars: dict[str, Any], path: Path,
                rejects_path: Path | None = None, reporter: Reporter | None = None) -> GrowthLoadSummary:
    """`sluice load --source growth`: every file under `path` into the target's growth_raw_schema."""
    started = time.monotonic()
    found = loads(path)
    target = project.target(target_name)
    variables = loader_variables(project, "growth", cli_vars, target.dialect)
    rejects = Rejects(rejects_path or default_rejects_path(path, project.root))
    summary = GrowthLoadSummary(rejects_file=rejects.path)
    try:
        with target:
            loader = GrowthLoader(project, target, target.connect(), variables, rejects)
            loader.setup()
            for load in found:
                _load_files(loader, load, summary, reporter)
    finally:
        rejects.close()
    summary.seconds = time.monotonic() - started
    return summary


def _load_files(loader: GrowthLoader, load: Load, summary: GrowthLoadSummary, reporter: Reporter | None) -> None:
    for file in load.files:
        started = time.monotonic()
        with summary.next_file():
            result = loader.load_file(file)
        summary.file_loaded(file, result)
        if reporter:
            reporter.line(f"{file}: {result.rows} rows added, {result.already_loaded} already loaded, "
                          f"{result.rejected} rejected, {time.monotonic() - started:.2f}s")
