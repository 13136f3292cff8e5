"""Write generated rows as RudderStack load batches: `batch-0001/tracks.csv`, `batch-0001/pages.csv`, …

A batch folder holds one CSV per table that has rows in the batch. Like a RudderStack load
file, a CSV carries only the columns that have a value in at least one of its rows, so a column
appears in a table's files from the batch of its first value on, and a file can lack a column
the table had before (the loader adds it, or fills NULL). Header: the RudderStack column names
in `schema` order; then one row per line, RFC 4180 quoting, empty for NULL, booleans as
true/false, timestamps as the generator wrote them (ISO-8601 UTC with milliseconds).

Rows are first written with every column of their table to a `.part` file, fields already
quoted as CSV wants them but separated by the ASCII unit separator and ended by the record
separator (characters no value holds), while the columns that had a value are tallied. Closing
writes the header and the lines, dropping the columns that never had a value by splitting on
those separators: no CSV parsing. The page and device columns of a row mostly repeat earlier
rows' (schema.Table's groups): their text is made once per distinct set of values.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from sluice.events.rudderstack.schema import TABLES, Table

_BOOLS = {True: "true", False: "false"}
_FIELD, _RECORD = "\x1f", "\x1e"
_FIELD_BYTE, _RECORD_BYTE = _FIELD.encode(), _RECORD.encode()
_FLUSH_RECORDS = 512
_FLUSH_ALL_ROWS = 200_000
_CHUNK = 1 << 20


def _texts(values: Iterable[object]) -> list[str]:
    return ["" if v is None else v if (k := v.__class__) is str else _BOOLS[v] if k is bool else str(v)
            for v in values]


def _needs_quotes(text: str) -> bool:
    # four substring tests (memchr) are several times quicker than one regular expression search
    return "," in text or '"' in text or "\n" in text or "\r" in text


def _quoted(text: str) -> str:
    """A field as csv.writer writes it (QUOTE_MINIMAL)."""
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if _needs_quotes(text) else text


def _fields(values: Sequence[object]) -> str:
    """The values as CSV fields joined by the part files' field separator."""
    joined = _FIELD.join(texts := _texts(values))
    if joined.count(_FIELD) != len(texts) - 1 or _RECORD in joined:
        raise ValueError(f"a value holds \\x1f or \\x1e, which the writer uses as separators: {texts}")
    return _FIELD.join(map(_quoted, texts)) if _needs_quotes(joined) else joined


#: a column group's distinct value tuples -> (their `_fields` text, bit mask of the values not None)
GroupTexts = dict[tuple, tuple[str, int]]


def _group_text(known: GroupTexts, values: tuple) -> tuple[str, int]:
    """Make and keep the text and mask of a value tuple met for the first time."""
    if len(known) >= 8_192:  # a device's or page's rows come close together: a small memory will do
        known.clear()
    mask = sum(1 << i for i, v in enumerate(values) if v is not None)
    known[values] = text = (_fields(values), mask)
    return text


def batch_dir(out_dir: Path, batch: int) -> Path:
    """The folder of batch index `batch` (from 0): `batch-0001` for 0."""
    return out_dir / f"batch-{batch + 1:04d}"


class _TableFile:
    """One table's CSV in one batch folder."""

    def __init__(self, folder: Path, table: Table, group_texts: dict[tuple[str, ...], GroupTexts]):
        self.path = folder / f"{table.name}.csv"
        self.part = folder / f"{table.name}.csv.part"
        self.names = table.column_names
        self.call = tuple(name for name, _ in table.call)
        self.page = tuple(name for name, _ in table.page)
        self.device = tuple(name for name, _ in table.device)
        self.page_texts = group_texts.setdefault(self.page, {})
        self.device_texts = group_texts.setdefault(self.device, {})
        self.unseen_call = set(self.call)  # call columns without a value so far
        self.page_mask = self.device_mask = 0  # bits of the page and device columns with a value
        self.records: list[str] = []
        self.rows = 0

    def add(self, row: dict) -> None:
        get = row.get
        if self.unseen_call:
            self.unseen_call.difference_update([c for c in self.unseen_call if get(c) is not None])
        values = tuple(map(get, self.page))
        page = self.page_texts.get(values) or _group_text(self.page_texts, values)
        values = tuple(map(get, self.device))
        device = self.device_texts.get(values) or _group_text(self.device_texts, values)
        self.page_mask |= page[1]
        self.device_mask |= device[1]
        self.records.append(f"{_fields(tuple(map(get, self.call)))}{_FIELD}{page[0]}{_FIELD}{device[0]}")
        self.rows += 1
        if len(self.records) >= _FLUSH_RECORDS:
            self.flush()

    def unseen(self) -> set[str]:
        """The columns that had no value in any row."""
        unseen = set(self.unseen_call)
        for names, mask in ((self.page, self.page_mask), (self.device, self.device_mask)):
            unseen.update(name for i, name in enumerate(names) if not mask >> i & 1)
        return unseen

    def flush(self) -> None:
        if self.records:
            with open(self.part, "a", encoding="utf-8", newline="") as f:
                f.write(_RECORD.join(self.records) + _RECORD)
            self.records.clear()

    def close(self) -> None:
        """Write the final CSV: the header of the columns that had a value, then the rows."""
        self.flush()
        unseen = self.unseen()
        keep = [i for i, name in enumerate(self.names) if name not in unseen]
        # bytes, not text: the separators are ASCII, so nothing needs decoding or encoding again
        with open(self.path, "wb") as out, open(self.part, "rb") as part:
            out.write(",".join(self.names[i] for i in keep).encode() + b"\n")
            if len(keep) == len(self.names):
                while chunk := part.read(_CHUNK):
                    out.write(chunk.replace(_FIELD_BYTE, b",").replace(_RECORD_BYTE, b"\n"))
            else:
                _write_projected(part, out, keep, len(self.names))
        self.part.unlink()


def _write_projected(part: BinaryIO, out: BinaryIO, keep: list[int], width: int) -> None:
    """Copy the part file's records (of `width` fields) as CSV lines of the fields at `keep`.
    Only the fields up to the last one dropped are split apart; the rest stays one piece."""
    cut = max(i for i in range(width) if i not in keep) + 1
    picks = [i for i in keep if i < cut] + ([cut] if cut < width else [])
    project = operator.itemgetter(*picks, picks[0])  # two or more indexes: itemgetter returns a tuple
    rest = b""
    while chunk := part.read(_CHUNK):
        records = (rest + chunk).split(_RECORD_BYTE)
        rest = records.pop()
        lines = b"".join(_FIELD_BYTE.join(project(r.split(_FIELD_BYTE, cut))[:-1]) + b"\n" for r in records)
        out.write(lines.replace(_FIELD_BYTE, b","))


def _prepare_folders(out_dir: Path, batches: int) -> list[Path]:
    folders = [batch_dir(out_dir, b) for b in range(batches)]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            for stale in (folder / f"{name}.csv", folder / f"{name}.csv.part"):
                stale.unlink(missing_ok=True)
    return folders


def write_batches(rows: Iterable[tuple[int, str, dict]], out_dir: Path, batches: int) -> dict[str, list[int]]:
    """Write `(batch index, table, row)` into `out_dir/batch-NNNN/<table>.csv`; return the rows
    per table and batch. Files of the known tables left in those folders by an earlier run are
    removed first, so every file there is this run's."""
    folders = _prepare_folders(out_dir, batches)
    files: dict[tuple[int, str], _TableFile] = {}
    group_texts: dict[tuple[str, ...], GroupTexts] = {}
    try:
        for n, (batch, table, row) in enumerate(rows, 1):
            file = files.get((batch, table))
            if file is None:
                if table not in TABLES:
                    raise KeyError(f"unknown RudderStack table {table!r}: expected one of {', '.join(TABLES)}")
                file = files[batch, table] = _TableFile(folders[batch], TABLES[table], group_texts)
            file.add(row)
            if n % _FLUSH_ALL_ROWS == 0:  # many batches: keep what waits in memory bounded
                for waiting in files.values():
                    waiting.flush()
    except BaseException:
        for file in files.values():
            file.part.unlink(missing_ok=True)
        raise
    for file in files.values():
        file.close()
    counts = {name: [0] * batches for name in TABLES}
    for (batch, table), file in files.items():
        counts[table][batch] = file.rows
    return {name: per_batch for name, per_batch in counts.items() if any(per_batch)}
