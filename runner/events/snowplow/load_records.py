"""One staged record checked and typed in Python.

The warehouses decide which rows load (runner/events/snowplow/load_write.py); Python runs
over the few they reject, to say why in the rejects file, and over every row only on the
portable path, for a target with no bulk text staging (Redshift, whose COPY reads S3).
The checks here follow the warehouses' own: a value this module accepts loads there too,
so a row rejected there and accepted here is reported with the warehouse's message.

A staged record is a list of texts (None for empty) in `Layout.columns` order: the 131
atomic columns, then the CSV context columns.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sluice.events.snowplow.load_read import Layout
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, ATOMIC_FIELDS, BOOL, CONTEXTS, FLOAT, INT, NUM, TS, Context, S

_INDEX = {name: i for i, name in enumerate(ATOMIC_COLUMNS)}
EVENT_ID, COLLECTOR_TSTAMP = _INDEX["event_id"], _INDEX["collector_tstamp"]


class Reject(Exception):
    """A record that cannot be loaded; the message is the reason written to the rejects file."""


# -- values ---------------------------------------------------------------------------------
_BIGINT = 1 << 63
_DECIMAL_LIMIT, _CENT = Decimal(10) ** 16, Decimal("0.01")  # DECIMAL(18, 2)
_BOOLEANS = {"1": True, "0": False, "true": True, "false": False, "t": True, "f": False}
_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")
#: the shapes of timestamp text that load: ISO 8601 with a space or T, minutes at least,
#: a fraction of any length, then Z, UTC or an offset; the warehouses' SQL uses this same
#: pattern (POSIX ERE: PostgreSQL and RE2 read it alike), so 'now', 'epoch', a date alone
#: or a zone name (which they would take) are not event times anywhere
TIMESTAMP_SHAPE = (" *[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?([.][0-9]+)?"
                   " *(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)? *")
#: the shape enrich writes, matched with LIKE before the pattern is tried: far cheaper
ENRICHED_TIMESTAMP = "____-__-__ __:__:__.___"
_TIMESTAMP = re.compile(TIMESTAMP_SHAPE)
_LOOSE_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?")


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def to_timestamp(text: str) -> datetime:
    """ISO 8601 (space or T), as enrich writes it or as exports do (`Z`, ` UTC`, offsets,
    up to nanoseconds, kept to microseconds); aware times become naive UTC."""
    if not _TIMESTAMP.fullmatch(text):
        raise ValueError(f"not a timestamp: {_show(text)}")
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
    """Digits with an optional sign: no decimal point, exponent or `_` (which Python's int()
    takes and the warehouses do not)."""
    if not _INTEGER.fullmatch(text):
        raise ValueError(f"not an integer: {_show(text)}")
    value = int(text)
    if not -_BIGINT <= value < _BIGINT:
        raise ValueError(f"integer out of range: {_show(text)}")
    return value


def to_double(text: str) -> float:
    try:
        if "_" in text:
            raise ValueError(text)
        value = float(text)
    except ValueError:
        raise ValueError(f"not a number: {_show(text)}") from None
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {_show(text)}")
    return value


def to_decimal(text: str) -> Decimal:
    try:
        if "_" in text:
            raise InvalidOperation(text)
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not a number: {_show(text)}") from None
    # the warehouses round to cents first (half away from zero): 9999999999999999.995 overflows
    if not value.is_finite() or abs(value.quantize(_CENT, ROUND_HALF_UP)) >= _DECIMAL_LIMIT:
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
ContextRows = dict[Context, list[list[Any]]]


class EventParser:
    """Turns one staged record into a typed `events` row, adding its contexts' rows to `contexts`."""

    def __init__(self) -> None:
        self._schemas: dict[str, Context | None] = {}

    def parse(self, record: list[str | None], layout: Layout, contexts: ContextRows) -> list[Any]:
        values: list[Any] = record[: len(ATOMIC_COLUMNS)]
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
        # all of the record's contexts first: one that is rejected takes the others with it
        found = [(context, _context_row(context, data, values[EVENT_ID], values[COLLECTOR_TSTAMP]))
                 for context, data in self._contexts(record, layout)]
        for context, row in found:
            contexts[context].append(row)
        return values

    def _contexts(self, record: list[str | None], layout: Layout) -> list[tuple[Context, Any]]:
        found = []
        for source in layout.context_sources:
            text = record[layout.columns.index(source.column)]
            if text is None:
                continue
            if source.context is None:
                found += self._envelope(text, source.label)
            else:
                found += [(source.context, data) for data in _json_column(text, source.label)]
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


def explain(record: list[str | None], layout: Layout) -> str | None:
    """Why a staged record cannot be loaded, or None when Python finds nothing wrong."""
    try:
        EventParser().parse(record, layout, {c: [] for c in CONTEXTS})
    except Reject as exc:
        return str(exc)
    return None


def _not_a_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(text: str, column: str) -> Any:
    # NaN and Infinity are Python's extension of JSON; the warehouses refuse them.
    try:
        return json.loads(text, parse_constant=_not_a_constant)
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
