"""Loading a staged chunk on DuckDB: check every row first, then insert the good ones.

DuckDB has no savepoints (a failed statement aborts the whole transaction), but it has
TRY_CAST and TRY(): one statement checks every row without raising and keeps, per row, the
first check it fails and, for a good row, the data of its known contexts already typed by
`json_transform`, one short list per context table. The events are then inserted straight
from the staged text (reading it again costs less than storing its 131 columns), and each
context table from its list.
https://duckdb.org/docs/sql/expressions/cast#try_cast, https://duckdb.org/docs/data/json/json_functions
"""

from __future__ import annotations

import json

from sluice.events.snowplow.load_read import ContextSource, Layout
from sluice.events.snowplow.load_records import ENRICHED_TIMESTAMP, TIMESTAMP_SHAPE
from sluice.events.snowplow.load_write import StagedWriter, Tables, Written
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, ATOMIC_FIELDS, BOOL, CONTEXTS, FLOAT, INT, NUM, TS, Context, S
from sluice.targets import Session, Target

CHECKED = "sluice_checked"
BOOLEANS, TRUE = "('1', '0', 't', 'f', 'true', 'false')", "('1', 't', 'true')"
#: an envelope as a list of items, each schema and data kept as JSON text
ENVELOPE = '{"data": [{"schema": "JSON", "data": "JSON"}]}'
_NUMBERS = {INT: "BIGINT", FLOAT: "DOUBLE", NUM: "DECIMAL(18, 2)"}


class DuckDBWriter(StagedWriter):
    #: DuckDB runs each statement on every core, and pays per statement more than per row
    chunk_scale = 4

    def __init__(self, target: Target, session: Session, tables: Tables, layout: Layout):
        super().__init__(target, session, tables, layout)
        # TIMESTAMPTZ casts read a text without a zone in the session's time zone
        self.session.execute("SET TimeZone = 'UTC'", label="load settings")
        target.prepare_loading(self.session)
        sources = layout.context_sources
        self.statements = [
            ("check rows", check_rows(self.stage, sources)),
            (f"insert into {tables.events}", insert_events(self.stage, tables.events)),
            *((f"insert into {tables.contexts[c]}", insert_context(c, tables.contexts[c])) for c in CONTEXTS),
        ]

    def insert(self, written: Written) -> dict[int, str]:
        counts = [self.session.execute(sql, label=label).rows_affected for label, sql in self.statements]
        written.rows += counts[1]
        for context, count in zip(CONTEXTS, counts[2:], strict=True):
            written.contexts[context.table] += count
        refused = f"SELECT ordinal, problem FROM {CHECKED} WHERE problem IS NOT NULL"
        return dict(self.session.fetch(refused, label="check rows").rows)


# -- checks ---------------------------------------------------------------------------------
def check_rows(stage: str, sources: tuple[ContextSource, ...]) -> str:
    """A table of every staged row: its ordinal, the first check it fails (NULL when it
    loads) and, when it loads, its key and the typed data of its contexts, one list per
    context table (`ctx0`...). Each column of contexts is parsed once, in the innermost
    SELECT, and each known context's data once more, into its table's columns."""
    parsed = "".join(f", {_parsed(s)} AS p_{s.column}" for s in sources)
    items = "list_concat(" + ", ".join([*(_items(s) for s in sources), "[]"]) + ")"
    typed = "".join(f", CASE WHEN problem IS NULL THEN list_transform(list_filter(items, lambda i: i.context = {n}), "
                    f"lambda i: json_transform(i.data, '{json.dumps(_fields(c))}')) END AS ctx{n}"
                    for n, c in enumerate(CONTEXTS))
    return f"""CREATE OR REPLACE TEMP TABLE {CHECKED} AS
SELECT ordinal, problem, event_id, collector_tstamp{typed} FROM (
  SELECT *, {_problem(sources)} AS problem FROM (
    SELECT *, {items} AS items FROM (SELECT *{parsed} FROM {stage})))"""


def _items(source: ContextSource) -> str:
    """The known contexts of a column, as a list of {context: index in CONTEXTS, data: JSON}."""
    parsed = f"p_{source.column}"
    if source.context is None:
        known = " OR ".join(_is("i.schema", c) for c in CONTEXTS)
        index = "CASE " + " ".join(f"WHEN {_is('i.schema', c)} THEN {n}" for n, c in enumerate(CONTEXTS)) + " END"
        return (f"coalesce(list_transform(list_filter({parsed}.data, lambda i: {known}), "
                f"lambda i: {{'context': {index}, 'data': i.data}}), [])")
    index = CONTEXTS.index(source.context)
    return f"coalesce(list_transform({_column_items(parsed)}, lambda d: {{'context': {index}, 'data': d}}), [])"


def _fields(context: Context) -> dict[str, str]:
    """json_transform's structure for a context's data: every property as text."""
    return {prop: "VARCHAR" for prop, _, _ in context.fields}


def _problem(sources: tuple[ContextSource, ...]) -> str:
    """The first check the row fails, named for the rejects file should Python find nothing."""
    whens = ["WHEN event_id IS NULL THEN 'missing event_id'",
             "WHEN collector_tstamp IS NULL THEN 'missing collector_tstamp'"]
    whens += [f"WHEN {c} IS NOT NULL AND {_invalid(c, kind)} THEN '{c}'" for c, kind in ATOMIC_FIELDS if kind != S]
    whens += [f"WHEN {s.column} IS NOT NULL AND {_bad_source(s)} THEN '{s.label}'" for s in sources]
    return "CASE " + "\n  ".join(whens) + " END"


def _parsed(source: ContextSource) -> str:
    """An envelope as its list of items (NULL when it is no JSON); a CSV context column as JSON."""
    if source.context is None:
        return f"TRY(from_json({source.column}, '{ENVELOPE}'))"
    return f"TRY(json({source.column}))"


def _invalid(v: str, kind: str) -> str:
    """Text `v` does not cast to `kind` (NULL when `v` is)."""
    if kind == TS:
        zoned = f"regexp_full_match({v}, '{TIMESTAMP_SHAPE}') AND TRY_CAST({v} AS TIMESTAMPTZ) IS NOT NULL"
        enriched = f"{v} LIKE '{ENRICHED_TIMESTAMP}'"
        return f"CASE WHEN {enriched} THEN TRY_CAST({v} AS TIMESTAMP) IS NULL ELSE NOT ({zoned}) END"
    if kind == INT:  # TRY_CAST alone takes 1.5, 1e5 and 0x10 as integers
        return f"NOT (regexp_full_match({v}, '\\s*[+-]?[0-9]+\\s*') AND TRY_CAST({v} AS BIGINT) IS NOT NULL)"
    if kind == FLOAT:
        return f"NOT (NOT contains({v}, '_') AND coalesce(isfinite(TRY_CAST({v} AS DOUBLE)), false))"
    if kind == NUM:
        return f"NOT (NOT contains({v}, '_') AND TRY_CAST({v} AS DECIMAL(18, 2)) IS NOT NULL)"
    assert kind == BOOL
    return f"lower({v}) NOT IN {BOOLEANS}"


def _bad_source(source: ContextSource) -> str:
    """A column of contexts that is no JSON, no envelope, or holds a context that would not load."""
    parsed, column = f"p_{source.column}", source.column
    if source.context is None:
        bad_item = f"i.schema IS NULL OR NOT starts_with(i.schema, '\"') OR {_bad_data('i.schema', 'i.data')}"
        return (f"({parsed} IS NULL OR {parsed}.data IS NULL OR {_non_finite(column)} "
                f"OR coalesce(list_bool_or(list_transform({parsed}.data, lambda i: {bad_item})), false))")
    bad_item = _bad_data(_schema_of(source.context), "d")
    return (f"({parsed} IS NULL OR {_non_finite(column)} "
            f"OR coalesce(list_bool_or(list_transform({_column_items(parsed)}, lambda d: {bad_item})), false))")


def _non_finite(column: str) -> str:
    """The JSON text has a NaN or Infinity literal, which DuckDB's parser takes and JSON (and
    PostgreSQL, and Python here) does not: a bare token in a value's place once the strings
    are blanked out. The ILIKE skips that regular expression for almost every row."""
    blanked = f"""regexp_replace({column}, '"([^"\\\\]|\\\\.)*"', '""', 'g')"""
    token = "(?i)(^|[\\[:,])\\s*[+-]?(nan|inf)"
    return (f"CASE WHEN {column} ILIKE '%nan%' OR {column} ILIKE '%inf%' "
            f"THEN regexp_matches({blanked}, '{token}') ELSE false END")


def _bad_data(schema: str, data: str) -> str:
    """The data (JSON text) of a known context is no object, holds a NUL character (PostgreSQL
    cannot store one), or has a boolean property that is neither a JSON boolean nor a text
    the atomic booleans take."""
    known = " OR ".join(_is(schema, c) for c in CONTEXTS)
    checks = [f"{data} IS NULL", f"NOT starts_with({data}, '{{')", f"contains({data}, '\\u0000')"]
    for context in CONTEXTS:
        for prop, _, kind in context.fields:
            if kind == BOOL:
                value = f"json_extract({data}, '$.{prop}')"
                checks.append(f"({_is(schema, context)} AND json_type({value}) NOT IN ('NULL', 'BOOLEAN') AND NOT "
                              f"(json_type({value}) = 'VARCHAR' AND lower({value} ->> '$') IN {BOOLEANS}))")
    return f"(({known}) AND ({' OR '.join(checks)}))"


def _is(schema: str, context: Context) -> str:
    """A schema (JSON text, so quoted) names a version of `context`."""
    prefix = json.dumps(f"iglu:{context.vendor}/{context.name}/jsonschema/{context.major}-")[:-1]
    return f"starts_with({schema}, '{prefix}')"


def _schema_of(context: Context) -> str:
    """The schema, as JSON text, the items of a CSV context column stand for."""
    return f"'{json.dumps(f'iglu:{context.vendor}/{context.name}/jsonschema/{context.major}-0-0')}'"


def _column_items(parsed: str) -> str:
    """A CSV context column's items: its array or its one value, a self-describing
    {schema, data} standing for its data, JSON nulls left out."""
    listed = f"CASE WHEN json_type({parsed}) = 'ARRAY' THEN from_json({parsed}, '[\"JSON\"]') ELSE [{parsed}] END"
    unwrapped = ("CASE WHEN json_type(d) = 'OBJECT' AND list_sort(json_keys(d)) = ['data', 'schema'] "
                 "THEN json_extract(d, '$.data') ELSE d END")
    return f"list_transform(list_filter({listed}, lambda d: json_type(d) <> 'NULL'), lambda d: {unwrapped})"


# -- inserts --------------------------------------------------------------------------------
def _cast(v: str, kind: str) -> str:
    """Text `v`, which passed its check, as `kind`; timestamps with a zone become naive UTC
    (the session's TimeZone is UTC)."""
    if kind == S:
        return v
    if kind == TS:  # enrich's own shape has no zone: the plain cast, cheaper than ICU's
        return (f"CASE WHEN {v} LIKE '{ENRICHED_TIMESTAMP}' THEN CAST({v} AS TIMESTAMP) "
                f"ELSE CAST(CAST({v} AS TIMESTAMPTZ) AS TIMESTAMP) END")
    if kind == BOOL:
        return f"(lower({v}) IN {TRUE})"
    return f"CAST({v} AS {_NUMBERS[kind]})"


def insert_events(stage: str, events: str) -> str:
    casts = ", ".join(_cast(c, kind) for c, kind in ATOMIC_FIELDS)
    return (f"INSERT INTO {events} ({', '.join(ATOMIC_COLUMNS)}) SELECT {casts} FROM {stage} "
            f"WHERE ordinal NOT IN (SELECT ordinal FROM {CHECKED} WHERE problem IS NOT NULL)")


def insert_context(context: Context, table: str) -> str:
    """The typed data `check_rows` kept of `context`, a row per item."""
    n = CONTEXTS.index(context)
    columns = ", ".join(column for _, column, _ in context.fields)
    values = ", ".join(_cast(f"x.{prop}", kind) for prop, _, kind in context.fields)
    return f"""INSERT INTO {table} (root_id, root_tstamp, {columns})
SELECT event_id, {_cast('collector_tstamp', TS)}, {values}
FROM (SELECT event_id, collector_tstamp, unnest(ctx{n}) AS x FROM {CHECKED} WHERE ctx{n} IS NOT NULL)"""
