"""Reading RudderStack warehouse exports for `sluice load --source rudderstack`: which files
make up which load, each file's table and header, and its records in chunks of CSV text.

A file is one table's rows: `<table>.csv` (or `.csv.gz`), a header row of RudderStack column
names, RFC 4180 quoting, an empty field for NULL. PATH is one such file, a folder of them (one
load), or a folder of batch folders (`sluice generate --source rudderstack` writes
`batch-0001/tracks.csv`...), each batch folder one load, in name order.

Python only finds the records and checks their shape (field count, NUL characters, UTF-8).
A chunk is handed to the warehouse as read, and its lines taken for its records, unless it
has a blank line, a carriage return or a NUL; the warehouse's CSV reader must then find as
many records as the chunk has lines (a quoted line break, a wrong field count or bytes that
are no UTF-8 make it find fewer), so the line of a row it rejects is known without parsing.
Any other chunk is parsed record by record (`Chunk.strict`): records of a bad shape are
rejected with their line, the others written again one per record. A chunk never ends inside
quotes.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from sluice.errors import ArgumentError, SluiceError
from sluice.events.snowplow.load_read import CHUNK_BYTES, MAX_RECORD_BYTES
from sluice.render.identifiers import IDENTIFIER, check_length, fold

#: the table RudderStack writes discarded values to; the loader writes it, never loads it
DISCARDS = "rudder_discards"
_BOM = b"\xef\xbb\xbf"


# -- files ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Load:
    """Files loaded as one RudderStack load: one `uuid_ts` stamp for the rows without one."""

    name: str
    files: tuple[Path, ...]


def loads(path: Path) -> list[Load]:
    """The loads under `path`: the file, the folder's CSV files, or its batch folders'."""
    if not path.exists():
        raise ArgumentError(f"{path}: no such file or directory")
    if path.is_file():
        if table_of(path) is None:
            raise ArgumentError(f"{path}: not a .csv or .csv.gz file")
        return [Load(path.name, (path,))]
    files = _csv_files(path)
    batches = [Load(p.name, found) for p in sorted(path.iterdir()) if p.is_dir() and (found := _csv_files(p))]
    if files and batches:
        raise ArgumentError(f"{path}: holds both CSV files and batch folders ({batches[0].name}...); "
                            "load the folders and the files separately")
    if not files and not batches:
        raise ArgumentError(f"{path}: no .csv files to load, nor folders of them")
    return [Load(path.name, files)] if files else batches


def _csv_files(folder: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in folder.iterdir() if p.is_file() and table_of(p) is not None))


def table_of(path: Path) -> str | None:
    """The table a file holds: its name without `.csv` or `.csv.gz` (None for other files)."""
    name = path.name
    for suffix in (".csv", ".csv.gz"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def identifier(name: str, what: str, dialect: str) -> str:
    """A table or column name of a file, folded for the warehouse; SluiceError when the
    warehouse could not hold it unquoted."""
    if not IDENTIFIER.match(name):
        raise SluiceError(f"{what} {name!r} is not a valid identifier (letters, digits and _)")
    return check_length(fold(name, dialect), dialect)


# -- chunks ---------------------------------------------------------------------------------
@dataclass
class Chunk:
    """A block of records as CSV text (no header) and the file line each record starts on."""

    path: Path
    width: int
    text: bytes
    #: the file line each record starts on: record n (from 1) is `lines[n - 1]`
    lines: Sequence[int]
    #: records left out while reading, as (line, reason)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    #: True once every record has been parsed on its own (a strict chunk is not parsed again)
    checked: bool = False

    def strict(self) -> Chunk:
        """The same records parsed one by one, those of a bad shape left out with a reason."""
        if self.checked:
            raise SluiceError(f"the warehouse refused lines {self.lines[0]}-{self.lines[-1]} "
                              "even after checking them one by one")
        try:
            text = self.text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SluiceError(f"not UTF-8 text near line {self.lines[0]} ({exc.reason})") from None
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        reader = csv.reader(io.StringIO(text, newline=""))
        lines, rejected = [], list(self.rejected)
        first_line = self.lines[0] if self.lines else 1
        for line, record in _numbered(reader, first_line):
            reason = _problem(record, self.width)
            if reason:
                rejected.append((line, reason))
                continue
            writer.writerow(record)
            lines.append(line)
        return replace(self, text=buffer.getvalue().encode("utf-8"), lines=lines, rejected=rejected, checked=True)

    def rows(self) -> Iterator[list[str | None]]:
        """The records parsed back in Python, empty fields as None (the portable path)."""
        for record in csv.reader(io.StringIO(self.text.decode("utf-8"), newline="")):
            yield [v or None for v in record]


def _numbered(reader: Any, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """(file line, fields) of each record; blank lines are no records."""
    last = reader.line_num
    for fields in reader:
        first, last = last + 1, reader.line_num
        if fields:
            yield first_line + first - 1, fields


def _problem(record: list[str], width: int) -> str | None:
    if len(record) != width:
        return f"{len(record)} fields, expected {width}"
    joined = "".join(record)
    if "\x00" in joined:
        return "holds a NUL character"
    if len(joined) > MAX_RECORD_BYTES:
        return f"longer than {MAX_RECORD_BYTES >> 20} MiB"
    return None


@dataclass(frozen=True)
class Header:
    """A file's column names as written, and the line its records start on."""

    names: tuple[str, ...]
    first_line: int


@contextmanager
def read_chunks(path: Path, chunk_bytes: int = CHUNK_BYTES) -> Iterator[tuple[Header, Iterator[Chunk]]]:
    """The file's header and its records in chunks of about `chunk_bytes`."""
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        header_text = _whole_records(handle, 1, first=True)
        try:
            names = next(csv.reader(io.StringIO(header_text.decode("utf-8"), newline="")), [])
        except UnicodeDecodeError:
            raise SluiceError("the header is not UTF-8 text") from None
        header = Header(tuple(n.strip() for n in names), header_text.count(b"\n") + 1)
        yield header, _chunks(path, handle, len(names), header.first_line, chunk_bytes)


def _chunks(path: Path, handle: BinaryIO, width: int, line: int, chunk_bytes: int) -> Iterator[Chunk]:
    while block := _whole_records(handle, chunk_bytes, first=False):
        lines = block.count(b"\n")
        chunk = Chunk(path, width, block, range(line, line + lines))
        yield chunk if _plain(block) else chunk.strict()
        line += lines


def _whole_records(handle: BinaryIO, size: int, first: bool) -> bytes:
    """About `size` bytes ending with a whole line outside quotes (a last line without a
    newline gets one); at the start of the file a UTF-8 byte order mark is dropped."""
    block = handle.read(size) if size > 1 else handle.readline()
    if first and block.startswith(_BOM):
        block = block[len(_BOM):]
    if not block:
        return block
    parts, quotes = [block], block.count(b'"')
    while not parts[-1].endswith(b"\n") or quotes % 2:
        more = handle.readline()
        if not more:
            parts.append(b"\n")
            break
        parts.append(more)
        quotes += more.count(b'"')
    return b"".join(parts) if len(parts) > 1 else block


def _plain(block: bytes) -> bool:
    """True when the block can go to the warehouse as read: no NUL (which DuckDB would keep
    and PostgreSQL refuses), no carriage return and no blank line (which readers skip or
    take apart differently). Whether each line is one record the warehouse finds as it
    stages the block: a quoted line break joins two lines, so it reads fewer records than
    the block has lines, and the block is parsed record by record (`Chunk.strict`)."""
    return not (b"\x00" in block or b"\r" in block or block.startswith(b"\n") or b"\n\n" in block)
