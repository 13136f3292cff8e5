"""Loading Snowplow enriched events into the input schema: `sluice load PATH`.

Two shapes of file are read:

- the enriched TSV: 131 tab-separated fields in `ATOMIC_FIELDS` order, no header, contexts
  as self-describing JSON in `contexts` and `derived_contexts`;
- CSV with a header of atomic column names (any subset, any order), contexts as JSON columns
  named like `contexts_com_snowplowanalytics_snowplow_web_page_1_0_0` holding an array of the
  contexts' data objects (or one object): the shape of BigQuery and Snowflake exports.

Each record becomes a typed row of `{{input_schema}}.events{{entropy}}` and one row per known
context in its shredded table (`root_id` = event id, `root_tstamp` = collector_tstamp). A
record that cannot be typed is rejected, with its file, line and reason, into the rejects
file; it never stops the good rows. One file is one transaction. Files are read in chunks and
rows streamed into `Target.bulk_insert`, so memory stays bounded by one chunk's contexts.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from pathlib import Path
from typing import Any, TextIO

from sluice import resources
from sluice.config import LIFECYCLE_DEFAULTS, Project
from sluice.errors import ArgumentError, SluiceError
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, ATOMIC_FIELDS, BOOL, CONTEXTS, FLOAT, INT, NUM, TS, Context, S
from sluice.output import Reporter
from sluice.render.identifiers import check_identifiers
from sluice.render.renderer import Renderer
from sluice.render.variables import merge_variables
from sluice.targets import Session, Target

#: records read, typed and inserted per round; only the chunk's context rows are held in memory
CHUNK_ROWS = 50_000
FORMATS = ("auto", "tsv", "csv")
INPUT_DDL = Path("sql") / "input" / "01-atomic-events.sql"

_INDEX = {name: i for i, name in enumerate(ATOMIC_COLUMNS)}
EVENT_ID, COLLECTOR_TSTAMP = _INDEX["event_id"], _INDEX["collector_tstamp"]
SD_COLUMNS = (_INDEX["contexts"], _INDEX["derived_contexts"])

csv.field_size_limit(1 << 30)  # a record's contexts may be far longer than csv's 128 KiB default


class Reject(Exception):
    """A record that cannot be loaded; the message is the reason written to the rejects file."""


# -- values ---------------------------------------------------------------------------------
_BIGINT = 1 << 63
_DECIMAL_LIMIT = Decimal(10) ** 16  # DECIMAL(18, 2)
_BOOLEANS = {"1": True, "0": False, "true": True, "false": False, "t": True, "f": False}
_LOOSE_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?")


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def to_timestamp(text: str) -> datetime:
    """ISO 8601 (space or T), as enrich writes it or as exports do (`Z`, ` UTC`, offsets,
    up to nanoseconds); aware times become naive UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = _loose_timestamp(text)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _loose_timestamp(text: str) -> datetime:
    match = _LOOSE_TIMESTAMP.fullmatch(text.strip())
    try:
        if not match:
            raise ValueError(text)
        day, clock, fraction, zone = match.groups()
        clock += ":00" if len(clock) == 5 else ""
        zone = "+00:00" if zone in ("Z", "UTC") else zone or ""
        zone = f"{zone[:3]}:{zone[-2:]}" if len(zone) > 3 else f"{zone}:00" if zone else ""
        return datetime.fromisoformat(f"{day} {clock}.{(fraction or '')[:6].ljust(6, '0')}{zone}")
    except ValueError:
        raise ValueError(f"not a timestamp: {_show(text)}") from None


def to_integer(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"not an integer: {_show(text)}") from None
    if not -_BIGINT <= value < _BIGINT:
        raise ValueError(f"integer out of range: {_show(text)}")
    return value


def to_double(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"not a number: {_show(text)}") from None
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {_show(text)}")
    return value


def to_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {_show(text)}") from None
    if not value.is_finite() or abs(value) >= _DECIMAL_LIMIT:
        raise ValueError(f"not a DECIMAL(18, 2): {_show(text)}")
    return value


def to_boolean(text: str) -> bool:
    try:
        return _BOOLEANS[text.lower()]
    except KeyError:
        raise ValueError(f"not a boolean: {_show(text)}") from None


CONVERTERS: dict[str, Callable[[str], Any]] = {
    TS: to_timestamp, INT: to_integer, FLOAT: to_double, NUM: to_decimal, BOOL: to_boolean,
}
#: (index, converter) of every atomic column that is not a string
TYPED_COLUMNS = tuple((i, CONVERTERS[kind]) for i, (_, kind) in enumerate(ATOMIC_FIELDS) if kind in CONVERTERS)


# -- records --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """Where one file's records keep the atomic fields and the contexts."""

    width: int
    #: CSV: each atomic column's index in the record (`width` when the file lacks it)
    positions: tuple[int, ...] | None = None
    #: atomic columns holding self-describing contexts to shred
    envelopes: tuple[int, ...] = SD_COLUMNS
    #: CSV: (index in the record, context, column name) of each JSON context column
    context_columns: tuple[tuple[int, Context, str], ...] = ()
    ignored: tuple[str, ...] = ()

    @classmethod
    def from_header(cls, header: list[str]) -> Layout:
        names = [h.strip().lower() for h in header]
        first = {name: i for i, name in reversed(list(enumerate(names)))}
        missing = [c for c in ("event_id", "collector_tstamp") if c not in first]
        if missing:
            raise SluiceError(f"the CSV header has no {' or '.join(missing)} column "
                              "(CSV files need a header of atomic column names)")
        context_columns = tuple((i, c, n) for i, n in enumerate(names) for c in CONTEXTS if _is_column_of(n, c))
        known = {n for n in names if n in _INDEX} | {n for _, _, n in context_columns}
        return cls(
            width=len(names),
            positions=tuple(first.get(c, len(names)) for c in ATOMIC_COLUMNS),
            # exports that shred contexts into columns are read from those columns only
            envelopes=() if context_columns else tuple(i for i in SD_COLUMNS if ATOMIC_COLUMNS[i] in first),
            context_columns=context_columns,
            ignored=tuple(n for n in names if n not in known),
        )


def _is_column_of(name: str, context: Context) -> bool:
    """`contexts_<vendor>_<name>_<major>_<minor>_<patch>`, any minor and patch."""
    return name.startswith(context.csv_column(f"{context.major}_"))


@contextmanager
def open_records(path: Path, fmt: str) -> Iterator[tuple[Layout, Iterator[tuple[int, list[str], bool]]]]:
    """The file's layout and its records as (first line, fields, holds a NUL character)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        nul_lines: set[int] = set()
        lines = _watch_nul(handle, nul_lines)
        if fmt == "tsv":
            reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
            layout = Layout(width=len(ATOMIC_COLUMNS))
        else:
            reader = csv.reader(lines)
            header = next(reader, None)
            layout = Layout.from_header(header) if header else Layout(width=0, envelopes=())
        yield layout, _numbered(reader, nul_lines)


def _watch_nul(handle: TextIO, nul_lines: set[int]) -> Iterator[str]:
    # PostgreSQL's text types cannot hold NUL: such a record is rejected, not left to fail COPY.
    for number, line in enumerate(handle, 1):
        if "\x00" in line:
            nul_lines.add(number)
        yield line


def _numbered(reader: Any, nul_lines: set[int]) -> Iterator[tuple[int, list[str], bool]]:
    last = reader.line_num
    for fields in reader:
        first, last = last + 1, reader.line_num
        if fields:  # blank lines are no records
            yield first, fields, bool(nul_lines) and any(n in nul_lines for n in range(first, last + 1))


# -- events ---------------------------------------------------------------------------------
ContextRows = dict[Context, list[list[Any]]]


class EventParser:
    """Turns one record into a typed `events` row, adding its contexts' rows to `contexts`."""

    def __init__(self) -> None:
        self._schemas: dict[str, Context | None] = {}

    def parse(self, fields: list[str], layout: Layout, contexts: ContextRows) -> list[Any]:
        if len(fields) != layout.width:
            raise Reject(f"{len(fields)} fields, expected {layout.width}")
        if layout.positions is None:
            values = [v or None for v in fields]
        else:
            fields.append("")
            values = [fields[p] or None for p in layout.positions]
        if values[EVENT_ID] is None:
            raise Reject("missing event_id")
        if values[COLLECTOR_TSTAMP] is None:
            raise Reject("missing collector_tstamp")
        try:
            for i, convert in TYPED_COLUMNS:
                value = values[i]
                if value is not None:
                    values[i] = convert(value)
        except ValueError as exc:
            raise Reject(f"{ATOMIC_COLUMNS[i]}: {exc}") from None
        for context, data in self._contexts(fields, values, layout):
            contexts[context].append(_context_row(context, data, values[EVENT_ID], values[COLLECTOR_TSTAMP]))
        return values

    def _contexts(self, fields: list[str], values: list[Any], layout: Layout) -> list[tuple[Context, Any]]:
        found = []
        for i in layout.envelopes:
            if values[i] is not None:
                found += self._envelope(values[i], ATOMIC_COLUMNS[i])
        for i, context, column in layout.context_columns:
            if fields[i]:
                found += [(context, data) for data in _json_column(fields[i], column)]
        return found

    def _envelope(self, text: str, column: str) -> list[tuple[Context, Any]]:
        """`{"schema": ".../contexts/...", "data": [{"schema": uri, "data": {...}}, ...]}`."""
        envelope = _json(text, column)
        items = envelope.get("data") if isinstance(envelope, dict) else None
        if not isinstance(items, list):
            raise Reject(f"{column}: not a self-describing JSON of contexts")
        found = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("schema"), str):
                raise Reject(f"{column}: a context without a schema")
            context = self._context_of(item["schema"])
            if context is not None:
                found.append((context, item.get("data")))
        return found

    def _context_of(self, uri: str) -> Context | None:
        if uri not in self._schemas:
            self._schemas[uri] = next((c for c in CONTEXTS if c.matches(uri)), None)
        return self._schemas[uri]


def _json(text: str, column: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise Reject(f"{column}: not valid JSON") from None


def _json_column(text: str, column: str) -> list[Any]:
    """A CSV context column: an array of data objects, or one (self-describing ones unwrapped)."""
    value = _json(text, column)
    items = value if isinstance(value, list) else [value]
    return [i["data"] if isinstance(i, dict) and set(i) == {"schema", "data"} else i for i in items if i is not None]


def _context_row(context: Context, data: Any, root_id: str, root_tstamp: datetime) -> list[Any]:
    if not isinstance(data, dict):
        raise Reject(f"{context.table}: the context's data is not a JSON object")
    row = [root_id, root_tstamp]
    for prop, column, kind in context.fields:
        value = data.get(prop)
        if value is None or (kind == S and type(value) is str and "\x00" not in value):
            row.append(value)  # the usual case, without a call
            continue
        try:
            row.append(_context_value(value, kind))
        except ValueError as exc:
            raise Reject(f"{context.table}.{column}: {exc}") from None
    return row


def _context_value(value: Any, kind: str) -> Any:
    if kind == BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return to_boolean(value)
        raise ValueError(f"not a boolean: {_show(json.dumps(value))}")
    text = value if isinstance(value, str) else json.dumps(value)
    if "\x00" in text:
        raise ValueError("holds a NUL character")
    return text


# -- loading --------------------------------------------------------------------------------
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


class Rejects:
    """The rejects file (file, line, reason), created at the first rejected record of a run."""

    def __init__(self, path: Path):
        self.path = path
        self._handle: TextIO | None = None
        self._writer: Any = None

    def add(self, file: Path, line: int, reason: str) -> None:
        if self._writer is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = open(self.path, "w", newline="", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise SluiceError(f"cannot write the rejects file {self.path}: {exc.strerror}") from None
            self._writer = csv.writer(self._handle, delimiter="\t", lineterminator="\n")
            self._writer.writerow(["file", "line", "reason"])
        self._writer.writerow([str(file), line, reason])

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


class Loader:
    """Loads files into one target's input tables, each file in one transaction."""

    def __init__(self, target: Target, session: Session, variables: dict[str, Any], rejects: Rejects,
                 reporter: Reporter | None = None):
        self.target = target
        self.session = session
        self.rejects = rejects
        self.reporter = reporter
        schema, entropy = variables["input_schema"], str(variables["entropy"])
        self.events_table = f"{schema}.events{entropy}"
        self.context_tables = {c: f"{schema}.{c.table}{entropy}" for c in CONTEXTS}
        self.parser = EventParser()

    def load_file(self, path: Path, fmt: str) -> LoadSummary:
        result = LoadSummary(files=1)
        try:
            with open_records(path, fmt) as (layout, records), self.session.transaction():
                if layout.ignored and self.reporter:
                    self.reporter.warning(f"{path}: ignoring column(s) {', '.join(layout.ignored)}")
                for first in records:  # one chunk per turn: its first record, then the rest of it
                    self._load_chunk(path, layout, chain([first], islice(records, CHUNK_ROWS - 1)), result)
        except UnicodeDecodeError as exc:
            raise SluiceError(f"{path}: not UTF-8 text ({exc.reason}); nothing of this file was loaded") from None
        except csv.Error as exc:
            raise SluiceError(f"{path}: unreadable: {exc}; nothing of this file was loaded") from None
        except (OSError, EOFError) as exc:
            raise SluiceError(f"{path}: cannot read: {exc}; nothing of this file was loaded") from None
        except SluiceError as exc:
            raise type(exc)(f"{path}: {exc}; nothing of this file was loaded") from exc
        return result

    def _load_chunk(self, path: Path, layout: Layout, records: Iterable[tuple[int, list[str], bool]],
                    result: LoadSummary) -> None:
        contexts: ContextRows = {c: [] for c in CONTEXTS}
        events = self._events(path, layout, records, contexts, result)
        # bulk_insert drains the generator, which fills `contexts` on the way
        result.rows += self.target.bulk_insert(self.session, self.events_table, ATOMIC_COLUMNS, events)
        for context, rows in contexts.items():
            if rows:
                columns = ["root_id", "root_tstamp", *(column for _, column, _ in context.fields)]
                result.contexts[context.table] += self.target.bulk_insert(
                    self.session, self.context_tables[context], columns, rows)

    def _events(self, path: Path, layout: Layout, records: Iterable[tuple[int, list[str], bool]],
                contexts: ContextRows, result: LoadSummary) -> Iterator[list[Any]]:
        parse = self.parser.parse
        for line, fields, has_nul in records:
            try:
                if has_nul:
                    raise Reject("holds a NUL character")
                yield parse(fields, layout, contexts)
            except Reject as exc:
                result.rejected += 1
                self.rejects.add(path, line, str(exc))


# -- the command ----------------------------------------------------------------------------
def input_files(path: Path, fmt: str) -> list[tuple[Path, str]]:
    """(file, format) to load: the file, or a directory's .tsv/.csv(.gz) files in name order."""
    if not path.exists():
        raise ArgumentError(f"{path}: no such file or directory")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and _format_of(p) and not _is_rejects(p))
        if not files:
            raise ArgumentError(f"{path}: no .tsv or .csv files to load")
    else:
        files = [path]
    chosen = []
    for file in files:
        kind = _format_of(file) if fmt == "auto" else fmt
        if kind is None:
            raise ArgumentError(f"{file}: cannot tell TSV from CSV by its name; give --format tsv or --format csv")
        chosen.append((file, kind))
    return chosen


def _format_of(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return {".tsv": "tsv", ".csv": "csv"}.get(suffixes[-1]) if suffixes else None


def _is_rejects(path: Path) -> bool:
    return path.name.endswith(".rejects.tsv")


def default_rejects_path(path: Path, project_root: Path) -> Path:
    """`<PATH>.rejects.tsv` beside the input, or in the project's `.sluice/` when that
    folder cannot be written."""
    path = path.resolve()
    beside = path.parent / f"{path.name}.rejects.tsv"
    if os.access(path.parent, os.W_OK):
        return beside
    return project_root / ".sluice" / beside.name


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
    variables = check_identifiers(merge_variables(LIFECYCLE_DEFAULTS, project.vars, cli_vars), where="variables",
                                  dialect=target.dialect)
    ddl = input_ddl(project, Renderer(target.dialect, [project.root / "sql" / "macros"]), variables)
    rejects = Rejects(rejects_path or default_rejects_path(path, project.root))
    summary = LoadSummary(rejects_file=rejects.path)
    try:
        with target:
            loader = Loader(target, target.connect(), variables, rejects, reporter)
            loader.session.execute(ddl, label=str(INPUT_DDL))
            for file, kind in files:
                _load_one(loader, file, kind, summary, reporter)
    finally:
        rejects.close()
    summary.seconds = time.monotonic() - started
    return summary


def _load_one(loader: Loader, file: Path, kind: str, summary: LoadSummary, reporter: Reporter | None) -> None:
    started = time.monotonic()
    try:
        result = loader.load_file(file, kind)
    except SluiceError as exc:
        if summary.files:
            raise type(exc)(f"{exc} ({summary.files} earlier file(s) stay loaded)") from exc
        raise
    if result.rejected and not result.rows:
        result.all_rejected.append(file)
    summary.add(result)
    if reporter:
        reporter.line(f"{file}: {result.rows} rows, {result.rejected} rejected, {time.monotonic() - started:.2f}s")
