"""`sluice load PATH`: Snowplow enriched events into the input schema.

Each record becomes a row of `{{input_schema}}.events{{entropy}}` and one row per known
context in its shredded table (`root_id` = event id, `root_tstamp` = collector_tstamp). A
record that cannot be loaded is rejected, with its file, line and reason, into the rejects
file; it never stops the good rows. One file is one transaction.

The work is split in two: `load_read.py` finds the files and reads them in chunks of
records (bounded memory, whatever the file's size); `load_write.py` has the warehouse check,
type and insert each chunk with its own CSV/COPY reader and JSON functions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sluice import resources
from sluice.config import Project
from sluice.errors import SluiceError
from sluice.events.snowplow import load_read
from sluice.events.snowplow.load_duckdb import DuckDBWriter
from sluice.events.snowplow.load_postgres import PostgresWriter
from sluice.events.snowplow.load_read import (
    FORMATS,
    Rejects,
    default_rejects_path,
    input_files,
    read_chunks,
    whole_file_or_nothing,
)
from sluice.events.snowplow.load_write import PortableWriter, Tables, Writer
from sluice.events.snowplow.schema import ATOMIC_FIELDS, CONTEXTS
from sluice.families import loader_variables
from sluice.output import Reporter, quiet_reporter
from sluice.render.renderer import Renderer
from sluice.targets import Session, Target

__all__ = ["FORMATS", "INPUT_DDL", "LoadSummary", "Loader", "input_ddl", "load_events"]

INPUT_DDL = Path("sql") / "input" / "01-atomic-events.sql"
#: the set-based writer of each dialect; any other target takes the portable one
WRITERS: dict[str, type[Writer]] = {"duckdb": DuckDBWriter, "postgres": PostgresWriter}


@dataclass
class LoadSummary:
    files: int = 0
    rows: int = 0
    rejected: int = 0
    contexts: dict[str, int] = field(default_factory=lambda: {c.table: 0 for c in CONTEXTS})
    seconds: float = 0.0
    rejects_file: Path | None = None
    #: files that held records and had every one of them rejected
    all_rejected: list[Path] = field(default_factory=list)

    def file_loaded(self, file: Path, other: LoadSummary) -> None:
        """Add one file's figures; a file that held records and had every one rejected is
        listed in `all_rejected` (the command then exits 1)."""
        if other.rejected and not other.rows:
            other.all_rejected.append(file)
        self.add(other)

    @contextmanager
    def next_file(self) -> Iterator[None]:
        """Around loading one more file: each file is its own transaction, so a failure says
        how many earlier files stay loaded."""
        try:
            yield
        except SluiceError as exc:
            if self.files:
                raise type(exc)(f"{exc} ({self.files} earlier file(s) stay loaded)") from exc
            raise

    def add(self, other: LoadSummary) -> None:
        self.files += other.files
        self.rows += other.rows
        self.rejected += other.rejected
        self.all_rejected += other.all_rejected
        for table, count in other.contexts.items():
            self.contexts[table] += count

    def line(self) -> str:
        rate = f" ({self.rows / self.seconds:,.0f} rows/s)" if self.seconds > 0 and self.rows else ""
        where = f" (see {self.rejects_file})" if self.rejected and self.rejects_file else ""
        contexts = ", ".join(f"{t} {n}" for t, n in self.contexts.items())
        return (f"loaded {self.files} file{'s' * (self.files != 1)}: {self.rows} rows, {self.rejected} rejected"
                f"{where}; contexts: {contexts}; {self.seconds:.2f}s{rate}")


class Loader:
    """Loads files into one target's input tables, each file in one transaction."""

    def __init__(self, target: Target, session: Session, variables: dict[str, Any], rejects: Rejects,
                 reporter: Reporter | None = None):
        self.target = target
        self.session = session
        self.rejects = rejects
        self.reporter = reporter or quiet_reporter()
        self.tables = Tables.named(variables["input_schema"], str(variables["entropy"]))

    def load_file(self, path: Path, fmt: str) -> LoadSummary:
        with whole_file_or_nothing(path):
            return self._load(path, fmt)

    def _load(self, path: Path, fmt: str) -> LoadSummary:
        result = LoadSummary(files=1)
        kind = WRITERS.get(self.target.dialect, PortableWriter)
        size = load_read.CHUNK_BYTES * kind.chunk_scale
        with read_chunks(path, fmt, size) as (layout, chunks), self.session.transaction():
            if layout.ignored:
                self.reporter.warning(f"{path}: ignoring column(s) {', '.join(layout.ignored)}")
            writer = kind(self.target, self.session, self.tables, layout)
            for chunk in chunks:
                written = writer.write(chunk)
                result.rows += written.rows
                for table, count in written.contexts.items():
                    result.contexts[table] += count
                for line, reason in written.rejected:
                    self.rejects.add(path, line, reason)
                result.rejected += len(written.rejected)
                self.reporter.rows_loaded(path, written.rows)
        return result


def input_ddl(project: Project, renderer: Renderer, variables: dict[str, Any]) -> str:
    """The input tables' DDL: the project's copy of sql/input/01-atomic-events.sql, else Sluice's."""
    source = project.root / INPUT_DDL
    if not source.is_file():
        source = resources.input_ddl(INPUT_DDL.name)
    context = {**variables, "atomic_fields": ATOMIC_FIELDS, "contexts": CONTEXTS}
    return renderer.render(source.read_text(), context, str(source))


def load_events(project: Project, target_name: str | None, cli_vars: dict[str, Any], path: Path,
                fmt: str = "auto", rejects_path: Path | None = None, reporter: Reporter | None = None) -> LoadSummary:
    """`sluice load`: every file under `path` into the target's input tables."""
    started = time.monotonic()
    files = input_files(path, fmt)
    target = project.target(target_name)
    variables = loader_variables(project, "snowplow-web", cli_vars, target.dialect)
    ddl = input_ddl(project, Renderer(target.dialect, [project.root / "sql" / "macros"]), variables)
    rejects = Rejects(rejects_path or default_rejects_path(path, project.root))
    summary = LoadSummary(rejects_file=rejects.path)
    try:
        with target:
            loader = Loader(target, target.connect(), variables, rejects, reporter)
            loader.session.execute(ddl, label=str(INPUT_DDL))
            loader.reporter.load_started(len(files), "snowplow")
            for file, kind in files:
                _load_one(loader, file, kind, summary)
    finally:
        rejects.close()
    summary.seconds = time.monotonic() - started
    return summary


def _load_one(loader: Loader, file: Path, kind: str, summary: LoadSummary) -> None:
    started = time.monotonic()
    with summary.next_file():
        result = loader.load_file(file, kind)
    summary.file_loaded(file, result)
    loader.reporter.file_loaded(file, result.rows, result.rejected, time.monotonic() - started)
