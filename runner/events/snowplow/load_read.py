"""Reading Snowplow enriched-event files for `sluice load`: which files, in which shape, and
their records as chunks of text a warehouse stages as rows of text columns.

Two shapes of file are read:

- the enriched TSV: 131 tab-separated fields in `ATOMIC_COLUMNS` order, no header, contexts
  as self-describing JSON in `contexts` and `derived_contexts`;
- CSV with a header of atomic column names (any subset, any order), contexts as JSON columns
  named like `contexts_com_snowplowanalytics_snowplow_web_page_1_0_0` holding an array of the
  contexts' data objects (or one object): the shape of BigQuery and Snowflake exports.

Python only finds the records and checks their shape (field count, NUL characters, UTF-8);
it never looks at a value. A chunk is a block of records as text plus the line each record
starts on, so the warehouse can name the line of a row it rejects. An enriched TSV block that
passes a few whole-block checks is handed over as read, without touching its lines; one that
does not (or that the warehouse refuses) is checked line by line (`Chunk.strict`).
"""

from __future__ import annotations

import csv
import gzip
import io
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol, TextIO, TypeVar

from sluice.errors import ArgumentError, SluiceError, StagingError
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, CONTEXTS, Context

FORMATS = ("auto", "tsv", "csv")
#: bytes of records per chunk: what Python and the warehouse hold of a file at a time
CHUNK_BYTES = 32 << 20
#: the longest record a chunk may hold (DuckDB's CSV reader needs a bound)
MAX_RECORD_BYTES = 8 << 20
TSV_TABS = len(ATOMIC_COLUMNS) - 1
ENVELOPES = ("contexts", "derived_contexts")
_INDEX = {name: i for i, name in enumerate(ATOMIC_COLUMNS)}

csv.field_size_limit(1 << 30)  # a record's contexts may be far longer than csv's 128 KiB default


@contextmanager
def whole_file_or_nothing(path: Path) -> Iterator[None]:
    """A file that cannot be read or loaded fails with one line naming it (every loader's
    files are one transaction each, so nothing of it stays)."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise SluiceError(f"{path}: not UTF-8 text ({exc.reason}); nothing of this file was loaded") from None
    except csv.Error as exc:
        raise SluiceError(f"{path}: unreadable: {exc}; nothing of this file was loaded") from None
    except (OSError, EOFError) as exc:
        raise SluiceError(f"{path}: cannot read: {exc}; nothing of this file was loaded") from None
    except SluiceError as exc:
        raise type(exc)(f"{path}: {exc}; nothing of this file was loaded") from exc


# -- files ----------------------------------------------------------------------------------
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


# -- layouts --------------------------------------------------------------------------------
class ContextSource(NamedTuple):
    """A staged column holding contexts to shred."""

    column: str
    #: the context it holds, or None for a self-describing envelope, which may hold any
    context: Context | None
    #: its name in the file, for reasons in the rejects file
    label: str


@dataclass(frozen=True)
class Layout:
    """How one file's records become staged rows: the 131 atomic columns in `ATOMIC_COLUMNS`
    order, then (CSV) one column per JSON context column, named `ctx_1`, `ctx_2`..."""

    #: the staged text's format: "tsv" (no quoting) or "csv" (RFC 4180)
    fmt: str = "tsv"
    #: fields per record in the file
    width: int = len(ATOMIC_COLUMNS)
    #: CSV: each atomic column's index in the file's records (None when the file lacks it)
    positions: tuple[int | None, ...] | None = None
    #: atomic columns holding self-describing contexts to shred
    envelopes: tuple[str, ...] = ENVELOPES
    #: CSV: (index in the file's records, context, name) of each JSON context column
    context_columns: tuple[tuple[int, Context, str], ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The staged columns, in order."""
        return ATOMIC_COLUMNS + tuple(f"ctx_{n}" for n in range(1, len(self.context_columns) + 1))

    @property
    def context_sources(self) -> tuple[ContextSource, ...]:
        """Every staged column whose contexts are shredded, envelopes first."""
        envelopes = tuple(ContextSource(name, None, name) for name in self.envelopes)
        return envelopes + tuple(ContextSource(f"ctx_{n}", context, name)
                                 for n, (_, context, name) in enumerate(self.context_columns, 1))

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
            fmt="csv",
            width=len(names),
            positions=tuple(first.get(c) for c in ATOMIC_COLUMNS),
            # exports that shred contexts into columns are read from those columns only
            envelopes=() if context_columns else tuple(c for c in ENVELOPES if c in first),
            context_columns=context_columns,
            ignored=tuple(n for n in names if n not in known),
        )


def _is_column_of(name: str, context: Context) -> bool:
    """`contexts_<vendor>_<name>_<major>_<minor>_<patch>`, any minor and patch."""
    return name.startswith(context.csv_column(f"{context.major}_"))


EMPTY_CSV = Layout(fmt="csv", width=0, positions=(None,) * len(ATOMIC_COLUMNS), envelopes=())


# -- chunks ---------------------------------------------------------------------------------
class Checkable(Protocol):
    """A chunk of either loader: its records, checked one by one or not yet."""

    checked: bool

    def strict(self: ChunkT) -> ChunkT: ...


ChunkT = TypeVar("ChunkT", bound=Checkable)


def staged_or_checked(chunk: ChunkT, stage: Callable[[ChunkT], None]) -> ChunkT:
    """The chunk once `stage` took it: as read, or checked record by record (`strict()`) when
    the warehouse could not read it; a second refusal fails the file. Either loader's chunks."""
    try:
        stage(chunk)
        return chunk
    except StagingError:
        if chunk.checked:
            raise
    chunk = chunk.strict()
    stage(chunk)
    return chunk


@dataclass
class Chunk:
    """A block of records as staged text (`layout.fmt`, one record per line for TSV, an
    empty field for NULL) and where each record starts in the file."""

    path: Path
    layout: Layout
    text: bytes
    #: the file line each record starts on, in order: ordinal n (from 1) is `lines[n - 1]`
    lines: Sequence[int]
    #: records left out while reading, as (line, reason)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    #: True once every record has been checked on its own (a strict chunk is not re-checked)
    checked: bool = False

    def strict(self) -> Chunk:
        """The same records checked one by one, those of a bad shape left out with a reason.
        Used when a whole-block check failed or the warehouse refused the block."""
        if self.checked:
            raise SluiceError(f"{self.path}: the warehouse refused lines {self.lines[0]}-{self.lines[-1]} "
                              "even after checking them one by one")
        kept: list[bytes] = []
        lines: list[int] = []
        rejected = list(self.rejected)
        for line, text in zip(self.lines, self.text.split(b"\n"), strict=False):
            reason = _tsv_problem(text)
            if reason:
                rejected.append((line, reason))
            elif text:
                kept.append(text + b"\n")
                lines.append(line)
        return replace(self, text=b"".join(kept), lines=lines, rejected=rejected, checked=True)

    def rows(self) -> Iterator[list[str | None]]:
        """The staged rows parsed back in Python, empty fields as None (the portable path)."""
        text = self.text.decode("utf-8")
        if self.layout.fmt == "tsv":
            records: Any = (line.split("\t") for line in text.split("\n") if line)
        else:
            records = csv.reader(io.StringIO(text, newline=""))
        for record in records:
            yield [v or None for v in record]


def _tsv_problem(line: bytes) -> str | None:
    """Why one enriched TSV line (without its newline) cannot be staged, if it cannot."""
    if not line:
        return None  # a blank line is no record
    if b"\x00" in line:
        # PostgreSQL's text types cannot hold NUL; the line is rejected on every warehouse alike
        return "holds a NUL character"
    if b"\r" in line:
        return "holds a carriage return"
    if len(line) > MAX_RECORD_BYTES:
        return f"longer than {MAX_RECORD_BYTES >> 20} MiB"
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    tabs = line.count(b"\t")
    return None if tabs == TSV_TABS else f"{tabs + 1} fields, expected {TSV_TABS + 1}"


@contextmanager
def read_chunks(path: Path, fmt: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[Layout, Iterator[Chunk]]]:
    """The file's layout and its records in chunks of about `chunk_bytes`."""
    if fmt == "tsv":
        with _open(path, binary=True) as handle:
            yield Layout(), _tsv_chunks(path, handle, chunk_bytes)
        return
    with _open(path, binary=False) as handle:
        nul_lines: set[int] = set()
        reader = csv.reader(_watch_nul(handle, nul_lines))
        header = next(reader, None)
        layout = Layout.from_header(header) if header else EMPTY_CSV
        yield layout, _csv_chunks(path, layout, reader, nul_lines, chunk_bytes)


def _open(path: Path, binary: bool) -> Any:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    if binary:
        return opener(path, "rb")
    return opener(path, "rt", encoding="utf-8-sig", newline="")


def _tsv_chunks(path: Path, handle: BinaryIO, chunk_bytes: int) -> Iterator[Chunk]:
    line = 1
    while block := _whole_lines(handle, chunk_bytes, first=line == 1):
        records = block.count(b"\n")
        chunk = Chunk(path, Layout(), block, range(line, line + records))
        yield chunk if _plain(block) else chunk.strict()
        line += records


def _whole_lines(handle: BinaryIO, size: int, first: bool) -> bytes:
    """About `size` bytes ending with a whole line (a last line without newline gets one);
    CRLF line ends become LF and a UTF-8 byte order mark at the start of the file is dropped."""
    block = handle.read(size)
    if block and not block.endswith(b"\n"):
        block += handle.readline()
        if not block.endswith(b"\n"):
            block += b"\n"
    if first and block.startswith(b"\xef\xbb\xbf"):
        block = block[3:]
    if b"\r" in block:
        block = block.replace(b"\r\n", b"\n")
    return block


def _plain(block: bytes) -> bool:
    """True when a block of lines can go to the warehouse as read: no NUL character (which
    DuckDB would keep and PostgreSQL refuses) and no stray carriage return. Field counts,
    blank lines and UTF-8 the warehouse checks as it stages the block: it must read as many
    records as the block has lines, or the block is checked line by line (`Chunk.strict`)."""
    return b"\x00" not in block and b"\r" not in block


def _watch_nul(handle: TextIO, nul_lines: set[int]) -> Iterator[str]:
    # A NUL character cannot be staged on PostgreSQL: such a record is rejected, not left to fail COPY.
    for number, line in enumerate(handle, 1):
        if "\x00" in line:
            nul_lines.add(number)
        yield line


def _csv_chunks(path: Path, layout: Layout, reader: Any, nul_lines: set[int], chunk_bytes: int) -> Iterator[Chunk]:
    """Each record checked (csv quoting allows line breaks inside fields, so only a parser
    knows where records start) and written again in the staged column order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    lines: list[int] = []
    rejected: list[tuple[int, str]] = []
    for line, record, has_nul in _numbered(reader, nul_lines):
        reason = _csv_problem(record, layout, has_nul)
        if reason:
            rejected.append((line, reason))
            continue
        writer.writerow(_staged(record, layout))
        lines.append(line)
        if buffer.tell() >= chunk_bytes:
            yield Chunk(path, layout, buffer.getvalue().encode("utf-8"), lines, rejected, checked=True)
            buffer.seek(0)
            buffer.truncate()
            lines, rejected = [], []
    if lines or rejected:
        yield Chunk(path, layout, buffer.getvalue().encode("utf-8"), lines, rejected, checked=True)


def _numbered(reader: Any, nul_lines: set[int]) -> Iterator[tuple[int, list[str], bool]]:
    """(first line, fields, holds a NUL character) of each record; blank lines are no records."""
    last = reader.line_num
    for fields in reader:
        first, last = last + 1, reader.line_num
        if fields:
            yield first, fields, bool(nul_lines) and any(n in nul_lines for n in range(first, last + 1))


def _csv_problem(record: list[str], layout: Layout, has_nul: bool) -> str | None:
    if len(record) != layout.width:
        return f"{len(record)} fields, expected {layout.width}"
    if has_nul:
        return "holds a NUL character"
    if sum(map(len, record)) > MAX_RECORD_BYTES:
        return f"longer than {MAX_RECORD_BYTES >> 20} MiB"
    return None


def _staged(record: list[str], layout: Layout) -> list[str]:
    assert layout.positions is not None
    atomic = [record[p] if p is not None else "" for p in layout.positions]
    return atomic + [record[i] for i, _, _ in layout.context_columns]
