"""Write events (dicts of atomic column -> value, plus `_contexts`) as Snowplow enriched TSV or
as CSV shaped like a BigQuery/Snowflake export.

TSV: the 131 atomic fields per line in `ATOMIC_COLUMNS` order, no header, empty for null,
booleans as 1/0 (as Snowplow enrich writes them), timestamps `YYYY-MM-DD HH:MM:SS.mmm`; the web
page context in `contexts` and the enrichment contexts in `derived_contexts`, both as
self-describing JSON. CSV: a header of the atomic columns without `contexts` and
`derived_contexts`, then one JSON-array column per context (`Context.csv_column()`); booleans
as true/false.

Context JSON is cached by the identity of the objects holding it: the generator shares them
between the events of a page view, so most events cost no JSON encoding at all.
"""

from __future__ import annotations

import csv
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from runner.events.schema import ATOMIC_COLUMNS, CONTEXTS, WEB_PAGE, Context

CONTEXTS_SCHEMA = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
_BY_TABLE = {c.table: c for c in CONTEXTS}
_CONTEXTS_AT, _DERIVED_AT = ATOMIC_COLUMNS.index("contexts"), ATOMIC_COLUMNS.index("derived_contexts")
_ALL = operator.itemgetter(*ATOMIC_COLUMNS)
CSV_ATOMIC_COLUMNS = tuple(c for c in ATOMIC_COLUMNS if c not in ("contexts", "derived_contexts"))
_CSV_ATOMIC = operator.itemgetter(*CSV_ATOMIC_COLUMNS)


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


def _self_describing(contexts: dict, derived: bool) -> str | None:
    data = [{"schema": schema_uri(_BY_TABLE[table]), "data": item}
            for table, items in contexts.items() if (table != WEB_PAGE.table) == derived for item in items]
    return _json({"schema": CONTEXTS_SCHEMA, "data": data}) if data else None


_tsv_contexts = _IdentityCache(lambda ctx: (_self_describing(ctx, False), _self_describing(ctx, True)))
_json_array = _IdentityCache(_json)


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(" ", "milliseconds")
    return str(value)


_TSV_BOOLS, _CSV_BOOLS = {True: "1", False: "0"}, {True: "true", False: "false"}


def _texts(values: Iterable[object], bools: dict[bool, str]) -> list[str]:
    """Field texts: None is empty, booleans per format, datetimes in the enriched format."""
    return ["" if v is None else v if v.__class__ is str else bools[v] if v.__class__ is bool else _text(v)
            for v in values]


def tsv_line(event: dict) -> str:
    """One enriched TSV line, without its newline. `event` must hold every atomic column."""
    values = list(_ALL(event))
    contexts = event.get("_contexts")
    if contexts:
        values[_CONTEXTS_AT], values[_DERIVED_AT] = _tsv_contexts(contexts)
    return "\t".join(_texts(values, _TSV_BOOLS))


def csv_header(contexts: Sequence[Context] = CONTEXTS) -> list[str]:
    return [*CSV_ATOMIC_COLUMNS, *(c.csv_column() for c in contexts)]


def csv_row(event: dict, contexts: Sequence[Context] = CONTEXTS) -> list[str]:
    """One CSV row matching `csv_header(contexts)`."""
    row = _texts(_CSV_ATOMIC(event), _CSV_BOOLS)
    held = event.get("_contexts") or {}
    for context in contexts:
        items = held.get(context.table)
        row.append(_json_array(items) if items else "")
    return row


def write_tsv(events: Iterable[dict], path: Path) -> int:
    """Write events as enriched TSV; return how many."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        for event in events:
            out.write(tsv_line(event) + "\n")
            count += 1
    return count


def write_csv(events: Iterable[dict], path: Path, contexts: Sequence[Context] = CONTEXTS) -> int:
    """Write events as CSV with a header; return how many."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(csv_header(contexts))
        for event in events:
            writer.writerow(csv_row(event, contexts))
            count += 1
    return count


def batch_paths(out_dir: Path, batches: int, fmt: str) -> list[Path]:
    return [out_dir / f"batch-{n:04d}.{fmt}" for n in range(1, batches + 1)]


def write_batches(pairs: Iterable[tuple[int, dict]], out_dir: Path, batches: int, fmt: str = "tsv",
                  contexts: Sequence[Context] = CONTEXTS) -> list[int]:
    """Route `(batch index, event)` pairs into `batch-0001.<fmt>`…; return the events per file."""
    if fmt not in ("tsv", "csv"):
        raise ValueError(f"unknown format {fmt!r}: use tsv or csv")
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = [0] * batches
    with ExitStack() as stack:
        files = [stack.enter_context(open(p, "w", encoding="utf-8", newline=""))
                 for p in batch_paths(out_dir, batches, fmt)]
        if fmt == "tsv":
            for batch, event in pairs:
                files[batch].write(tsv_line(event) + "\n")
                counts[batch] += 1
        else:
            writers = [csv.writer(f, lineterminator="\n") for f in files]
            for w in writers:
                w.writerow(csv_header(contexts))
            for batch, event in pairs:
                writers[batch].writerow(csv_row(event, contexts))
                counts[batch] += 1
    return counts
