"""Write events (dicts of atomic column -> value, plus `_contexts`) as Snowplow enriched TSV or
as CSV shaped like a BigQuery/Snowflake export.

TSV: the 131 atomic fields per line in `ATOMIC_COLUMNS` order, no header, empty for null,
booleans as 1/0 (as Snowplow enrich writes them), timestamps `YYYY-MM-DD HH:MM:SS.mmm`; the web
page context in `contexts` and the enrichment contexts in `derived_contexts`, both as
self-describing JSON. CSV: a header of the atomic columns without `contexts` and
`derived_contexts`, then one JSON-array column per context (`Context.csv_column()`); booleans
as true/false.

Context JSON is cached by the identity of the objects holding it (the generator shares them
between the events of a page view, so most events cost no JSON encoding at all): do not change a
context list or dict once an event holding it has been written.
"""

from __future__ import annotations

import csv
import json
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from sluice.events.snowplow.schema import ATOMIC_COLUMNS, CONTEXTS, WEB_PAGE, Context

CONTEXTS_SCHEMA = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
_BY_TABLE = {c.table: c for c in CONTEXTS}
_WEB_PAGE_TABLE = WEB_PAGE.table
CSV_ATOMIC_COLUMNS = tuple(c for c in ATOMIC_COLUMNS if c not in ("contexts", "derived_contexts"))


def schema_uri(context: Context, version: str = "1-0-0") -> str:
    return f"iglu:{context.vendor}/{context.name}/jsonschema/{version}"


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class _IdentityCache:
    """Values computed from an object, kept while the object is held (so its id stays unique)."""

    def __init__(self, compute: Callable[[object], object], size: int = 4096):
        self.compute, self.size, self.entries = compute, size, {}

    def __call__(self, obj: object) -> object:
        hit = self.entries.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        if len(self.entries) >= self.size:
            self.entries.clear()
        value = self.compute(obj)
        self.entries[id(obj)] = (obj, value)
        return value


def _entries(table: str, items: list[dict]) -> str:
    """The self-describing entries of one context's items, comma-separated."""
    schema = _json(schema_uri(_BY_TABLE[table]))
    return ",".join(f'{{"schema":{schema},"data":{_json(item)}}}' for item in items)


_ENTRIES = {table: _IdentityCache(lambda items, table=table: _entries(table, items)) for table in _BY_TABLE}


def _wrap(entries: list[str]) -> str | None:
    return f'{{"schema":"{CONTEXTS_SCHEMA}","data":[{",".join(entries)}]}}' if entries else None


def _split_contexts(contexts: dict) -> tuple[str | None, str | None]:
    """(contexts, derived_contexts) texts: the web page context is the tracker's, the rest enrich's."""
    page, derived = [], []
    for table, items in contexts.items():
        if table not in _ENTRIES:
            raise ValueError(f"unknown context table {table!r}: expected one of {', '.join(_ENTRIES)}")
        if items:
            (page if table == _WEB_PAGE_TABLE else derived).append(_ENTRIES[table](items))
    return _wrap(page), _wrap(derived)


_tsv_contexts = _IdentityCache(_split_contexts)
_json_array = _IdentityCache(_json)


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(" ", "milliseconds")
    return str(value)


_TSV_BOOLS, _CSV_BOOLS = {True: "1", False: "0"}, {True: "true", False: "false"}
#: columns that differ between the events of one page view (the rest usually repeat)
EVENT_COLUMNS = frozenset((
    "etl_tstamp", "collector_tstamp", "dvce_created_tstamp", "dvce_sent_tstamp", "derived_tstamp", "true_tstamp",
    "event", "event_id", "event_vendor", "event_name", "event_format", "event_version", "event_fingerprint",
    "domain_sessionid", "contexts", "derived_contexts", "unstruct_event", "pp_xoffset_min", "pp_xoffset_max",
    "pp_yoffset_min", "pp_yoffset_max", "tr_orderid", "tr_affiliation", "tr_total", "tr_tax", "tr_shipping",
    "tr_city", "tr_state", "tr_country", "tr_currency", "tr_total_base", "tr_tax_base", "tr_shipping_base",
    "base_currency"))


def _texts(values: Iterable[object], bools: dict[bool, str]) -> list[str]:
    """Field texts: None is empty, booleans per format, datetimes in the enriched format."""
    return ["" if v is None else v if (k := v.__class__) is str else str(v) if k is int else bools[v] if k is bool
            else _text(v) for v in values]


class _Fields:
    """Lines of events' `columns` joined by `sep`. The texts of the columns outside EVENT_COLUMNS
    are reused, joined in runs, while they hold values equal (==) to the previous event's: most
    events repeat their page view's. The rest are made per event, so a caller can replace some
    first (`varying_at`)."""

    def __init__(self, columns: Sequence[str], sep: str, bools: dict[bool, str],
                 escape: Callable[[list[str]], list[str]] | None = None):
        fixed = [c for c in columns if c not in EVENT_COLUMNS]
        self.varying_columns = [c for c in columns if c in EVENT_COLUMNS]
        self.fixed, self.varying = operator.itemgetter(*fixed), operator.itemgetter(*self.varying_columns)
        self.runs: list[tuple[int, int]] = []  # slices of the fixed texts between varying columns
        pieces, seen, start = [], 0, 0
        for column in [*columns, None]:
            if column is None or column in EVENT_COLUMNS:
                if seen > start:
                    pieces.append(len(self.runs))
                    self.runs.append((start, seen))
                if column is not None:
                    pieces.append(-1 - self.varying_columns.index(column))
                start = seen
            else:
                seen += 1
        self.order = operator.itemgetter(*(p if p >= 0 else len(self.runs) - 1 - p for p in pieces))
        self.sep, self.bools, self.escape = sep, bools, escape
        self.last: tuple | None = None
        self.run_texts: list[str] = []

    def varying_at(self, column: str) -> int:
        return self.varying_columns.index(column)

    def texts(self, values: Iterable[object]) -> list[str]:
        texts = _texts(values, self.bools)
        return self.escape(texts) if self.escape else texts

    def varying_texts(self, event: dict) -> list[str]:
        return self.texts(self.varying(event))

    def line(self, event: dict, varying_texts: list[str]) -> str:
        fixed = self.fixed(event)
        if fixed != self.last:
            texts = self.texts(fixed)
            self.last, self.run_texts = fixed, [self.sep.join(texts[a:b]) for a, b in self.runs]
        return self.sep.join(self.order(self.run_texts + varying_texts))


_TSV_SAFE = str.maketrans("\t\n\r", "   ")


def _tsv_escape(texts: list[str]) -> list[str]:
    """Tabs and line breaks inside a field become spaces, as enrich makes fields TSV-safe."""
    joined = "".join(texts)
    if "\t" not in joined and "\n" not in joined and "\r" not in joined:  # memchr: far quicker than re
        return texts
    return [t.translate(_TSV_SAFE) for t in texts]


class TsvFormat:
    """Enriched TSV: no header; lines (without newline) of every atomic column."""

    def __init__(self) -> None:
        self.fields = _Fields(ATOMIC_COLUMNS, "\t", _TSV_BOOLS, _tsv_escape)
        self.contexts_at = self.fields.varying_at("contexts")
        self.derived_at = self.fields.varying_at("derived_contexts")
        self.last: tuple[object, tuple[str | None, str | None]] = (None, (None, None))

    def header(self) -> str | None:
        return None

    def line(self, event: dict) -> str:
        texts = self.fields.varying_texts(event)
        contexts = event.get("_contexts")
        if contexts:
            if contexts is not self.last[0]:  # consecutive events mostly share their page's
                self.last = (contexts, _tsv_contexts(contexts))
            page, derived = self.last[1]
            texts[self.contexts_at], texts[self.derived_at] = page or "", derived or ""
        return self.fields.line(event, texts)


class _Echo:
    """A csv.writer target that hands the formatted row back."""

    def write(self, text: str) -> str:
        return text


_CSV = csv.writer(_Echo(), lineterminator="\r\n")


def csv_line(texts: Sequence[str]) -> str:
    """`texts` as one CSV line (RFC 4180 quoting, as csv.writer does it), without newline."""
    return _CSV.writerow(texts)[:-2]


_csv_json = _IdentityCache(lambda items: csv_line([_json(items)]))
_CSV_SPECIAL = re.compile(r'[,"\r\n]')


def _csv_escape(texts: list[str]) -> list[str]:
    """Each field as csv.writer writes it (quoted where needed); most rows need nothing."""
    joined = "".join(texts)
    if "," not in joined and '"' not in joined and "\n" not in joined and "\r" not in joined:
        return texts
    return [csv_line([t]) if _CSV_SPECIAL.search(t) else t for t in texts]


class CsvFormat:
    """CSV shaped like a BigQuery/Snowflake export: the atomic columns but `contexts` and
    `derived_contexts`, then one JSON array column per context."""

    def __init__(self, contexts: Sequence[Context] = CONTEXTS):
        self.contexts = tuple(contexts)
        self.fields = _Fields(CSV_ATOMIC_COLUMNS, ",", _CSV_BOOLS, _csv_escape)
        self.last: tuple[object, str] = (None, "")

    def header(self) -> str | None:
        return csv_line([*CSV_ATOMIC_COLUMNS, *(c.csv_column() for c in self.contexts)])

    def line(self, event: dict) -> str:
        line = self.fields.line(event, self.fields.varying_texts(event))
        held = event.get("_contexts") or {}
        if held is not self.last[0]:  # consecutive events mostly share their page's
            self.last = (held, "".join("," + _csv_json(items) if (items := held.get(c.table)) else ","
                                       for c in self.contexts))
        return line + self.last[1]


def write_tsv(events: Iterable[dict], path: Path) -> int:
    """Write events as enriched TSV; return how many."""
    return write_batches(((0, e) for e in events), [path], TsvFormat())[0]


def write_csv(events: Iterable[dict], path: Path, contexts: Sequence[Context] = CONTEXTS) -> int:
    """Write events as CSV with a header; return how many."""
    return write_batches(((0, e) for e in events), [path], CsvFormat(contexts))[0]


def batch_paths(out_dir: Path, batches: int, fmt: str) -> list[Path]:
    """`batch-0001.<fmt>`… in `out_dir`."""
    return [out_dir / f"batch-{n:04d}.{fmt}" for n in range(1, batches + 1)]


def write_batches(pairs: Iterable[tuple[int, dict]], paths: Sequence[Path],
                  fmt: TsvFormat | CsvFormat) -> list[int]:
    """Write each `(batch index, event)` into `paths[index]`; return the events per file."""
    line, header = fmt.line, fmt.header()
    buffers: list[list[str]] = [[] if header is None else [header] for _ in paths]
    counts = [0] * len(paths)
    with ExitStack() as stack:
        files = [stack.enter_context(open(p, "w", encoding="utf-8", newline="")) for p in paths]
        for batch, event in pairs:
            buffer = buffers[batch]
            buffer.append(line(event))
            counts[batch] += 1
            if len(buffer) >= 256:  # one write per many lines: cheaper than one per line
                files[batch].write("\n".join(buffer) + "\n")
                buffer.clear()
        for f, buffer in zip(files, buffers, strict=True):
            if buffer:
                f.write("\n".join(buffer) + "\n")
    return counts
