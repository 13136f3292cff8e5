"""Loading a staged chunk on PostgreSQL: insert optimistically, look for bad rows only when
that fails.

PostgreSQL 15 has no TRY_CAST and no way to test text for JSON without parsing it (both came
in 16: `pg_input_is_valid`, `IS JSON`), but it has savepoints. So one statement of
data-modifying CTEs checks and casts every value, parses each envelope once (`jsonb`) and
inserts the events and the context rows; any value that does not load raises a
data_exception. Then the savepoint is rolled back, a PL/pgSQL function runs the same checks
row by row to find the rows that raise, and the statement runs again without them.
https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING
"""

from __future__ import annotations

from sluice.errors import QueryError
from sluice.events.snowplow.load_read import ContextSource, Layout
from sluice.events.snowplow.load_records import ENRICHED_TIMESTAMP, TIMESTAMP_SHAPE
from sluice.events.snowplow.load_write import StagedWriter, Tables, Written
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, ATOMIC_FIELDS, BOOL, CONTEXTS, FLOAT, INT, NUM, TS, Context, S
from sluice.targets import Session, Target

TRUE, FALSE = "('1', 't', 'true')", "('0', 'f', 'false')"
#: per load transaction: timestamps without a zone are UTC; JIT compiling this large
#: statement anew for every chunk costs more than it saves; a chunk's contexts fit in memory
SETTINGS = "SET LOCAL TimeZone = 'UTC'; SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"
#: events rows are over 2 KB, so PostgreSQL compresses their largest values; lz4 (PostgreSQL
#: 14+, when built with it) does that several times faster than the default pglz, and reads
#: back faster too. The setting applies to values stored while it is set: the table's own
#: default is unchanged. https://www.postgresql.org/docs/current/runtime-config-client.html
LZ4 = ("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'",
       "SET LOCAL default_toast_compression = 'lz4'")
REJECT = """CREATE OR REPLACE FUNCTION pg_temp.sluice_reject(reason TEXT) RETURNS TEXT LANGUAGE plpgsql AS $sluice$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'data_exception', MESSAGE = reason;
END
$sluice$"""


class PostgresWriter(StagedWriter):
    def __init__(self, target: Target, session: Session, tables: Tables, layout: Layout):
        super().__init__(target, session, tables, layout)
        self.sql = ChunkSql(self.stage, tables, layout)
        self.session.execute(SETTINGS, label="load settings")
        if self.session.fetch(LZ4[0], label="load settings").rows == [(True,)]:
            self.session.execute(LZ4[1], label="load settings")
        self.session.fetch(REJECT, label="load functions")

    def insert(self, written: Written) -> dict[int, str]:
        try:
            self._insert(written, [])
            return {}
        except QueryError as exc:
            if getattr(exc.__cause__, "sqlstate", "")[:2] != "22":  # not a data_exception
                raise
            failure = exc
        refused = self._refused()
        if not refused:
            raise failure  # the rows pass one by one: the failure is not theirs
        self._insert(written, sorted(refused))
        return refused

    def _insert(self, written: Written, skip: list[int]) -> None:
        self.session.execute("SAVEPOINT sluice_chunk", label="savepoint")
        try:
            counts = self.session.fetch(self.sql.insert(), {"skip": skip}, label="insert chunk").rows[0]
        except QueryError:
            self.session.execute("ROLLBACK TO SAVEPOINT sluice_chunk", label="savepoint")
            raise
        self.session.execute("RELEASE SAVEPOINT sluice_chunk", label="savepoint")
        written.rows += counts[0]
        for context, count in zip(CONTEXTS, counts[1:], strict=True):
            written.contexts[context.table] += count

    def _refused(self) -> dict[int, str]:
        """Each staged row that raises, with PostgreSQL's message, found one row at a time."""
        self.session.fetch(self.sql.refused_function(), label="load functions")
        self.session.execute(f"CREATE INDEX {self.stage}_ordinal ON {self.stage} (ordinal); ANALYZE {self.stage}",
                             label="index staged rows")
        rows = self.session.fetch("SELECT * FROM pg_temp.sluice_refused()", label="find refused rows").rows
        self.session.execute(f"DROP INDEX {self.stage}_ordinal", label="index staged rows")
        return dict(rows)


class ChunkSql:
    """The statement that checks, casts and inserts the staged rows not in `:skip`, and the
    function that runs its checks row by row. One text for every chunk of a file, so the
    driver prepares it once."""

    def __init__(self, stage: str, tables: Tables, layout: Layout):
        self.stage = stage
        self.tables = tables
        self.sources = layout.context_sources

    def insert(self) -> str:
        """Each INSERT reads its SELECT directly: a CTE of its own would be materialized."""
        rows = "ordinal <> ALL(CAST(:skip AS BIGINT[]))"
        inserts = [f"ev AS (INSERT INTO {self.tables.events} ({', '.join(ATOMIC_COLUMNS)}) "
                   f"{self._events_rows(rows)} RETURNING 1)"]
        for n, context in enumerate(CONTEXTS):
            columns = ", ".join(column for _, column, _ in context.fields)
            inserts.append(f"c{n} AS (INSERT INTO {self.tables.contexts[context]} (root_id, root_tstamp, {columns}) "
                           f"{_context_rows(context, n)} RETURNING 1)")
        names = ["ev", *(f"c{n}" for n in range(len(CONTEXTS)))]
        counts = ", ".join(f"(SELECT count(*) FROM {name})" for name in names)
        return f"WITH {self._items(rows)},\n" + ",\n".join(inserts) + f"\nSELECT {counts}"

    def refused_function(self) -> str:
        """`pg_temp.sluice_refused()`: (ordinal, message) of each staged row whose checks raise.
        The same SELECTs as `insert`, every value of them evaluated, one row at a time."""
        rows = "ordinal = r"
        evaluated = " + ".join([f"(SELECT count(ROW(e.*)) FROM ({self._events_rows(rows)}) e)",
                                *(f"(SELECT count(ROW(c.*)) FROM ({_context_rows(context, n)}) c)"
                                  for n, context in enumerate(CONTEXTS))])
        return f"""CREATE OR REPLACE FUNCTION pg_temp.sluice_refused()
RETURNS TABLE (refused_ordinal BIGINT, refused_reason TEXT) LANGUAGE plpgsql AS $sluice$
DECLARE
  r BIGINT;
  n BIGINT;
BEGIN
  FOR r IN SELECT ordinal FROM {self.stage} ORDER BY ordinal LOOP
    BEGIN
      WITH {self._items(rows)}
      SELECT {evaluated} INTO n;
    EXCEPTION WHEN data_exception THEN
      refused_ordinal := r;
      refused_reason := SQLERRM;
      RETURN NEXT;
    END;
  END LOOP;
END
$sluice$"""

    def _events_rows(self, rows: str) -> str:
        return f"SELECT {_event_values()} FROM {self.stage} WHERE {rows}"

    def _items(self, rows: str) -> str:
        """The CTE `items`: every known context of the rows, as jsonb, parsed once for all four
        context tables."""
        return f"items AS MATERIALIZED ({_items(self.stage, self.sources, rows)})"


def _reject(reason: str, kind: str = "TEXT") -> str:
    return f"CAST(pg_temp.sluice_reject('{reason}') AS {kind})"


def _passes(value: str, test: str, reason: str) -> str:
    """`value` when it is NULL or passes `test`, else a data_exception."""
    return f"CASE WHEN {value} IS NULL OR {test} THEN {value} ELSE {_reject(reason)} END"


def _checked(value: str, kind: str, name: str) -> str:
    """The text `value` of column `name` as its type; raises when it does not cast. The shapes
    enrich writes (1 and 0, its timestamps) come first: a plain comparison is the cheap test."""
    if kind == S:
        return value
    if kind == TS:
        return _timestamp(value, name)
    if kind == BOOL:
        return (f"CASE {value} WHEN '1' THEN TRUE WHEN '0' THEN FALSE ELSE CASE WHEN {value} IS NULL THEN NULL "
                f"WHEN lower({value}) IN {TRUE} THEN TRUE WHEN lower({value}) IN {FALSE} THEN FALSE "
                f"ELSE {_reject(name, 'BOOLEAN')} END END")
    plain = _passes(value, f"strpos({value}, '_') = 0", name)  # PostgreSQL 16 reads 1_000 as 1000
    if kind == INT:
        return f"CAST({plain} AS BIGINT)"
    if kind == FLOAT:
        number = f"CAST({plain} AS DOUBLE PRECISION)"
        return f"CASE WHEN {number} IN ('Infinity', '-Infinity', 'NaN') THEN {_reject(name, 'DOUBLE PRECISION')} " \
               f"ELSE {number} END"
    assert kind == NUM
    return f"CASE WHEN CAST({plain} AS NUMERIC) = 'NaN' THEN {_reject(name, 'NUMERIC')} " \
           f"ELSE CAST({plain} AS DECIMAL(18, 2)) END"


def _timestamp(value: str, name: str) -> str:
    """Enrich's own shape (matched with LIKE: the regular expression costs a microsecond a
    value) casts as it is; the other shapes go through TIMESTAMPTZ for their zone, their
    fraction cut to microseconds (PostgreSQL would round it; DuckDB and Python cut)."""
    zoned = f"regexp_replace({value}, '([.][0-9]{{6}})[0-9]+', '\\1')"
    return (f"CASE WHEN {value} LIKE '{ENRICHED_TIMESTAMP}' THEN CAST({value} AS TIMESTAMP) "
            f"WHEN {value} ~ '^{TIMESTAMP_SHAPE}$' THEN CAST(CAST({zoned} AS TIMESTAMPTZ) AS TIMESTAMP) "
            f"WHEN {value} IS NOT NULL THEN CAST({_reject(name)} AS TIMESTAMP) END")


def _required(column: str) -> str:
    return f"CASE WHEN {column} IS NULL THEN {_reject('missing ' + column)} ELSE {column} END"


def _event_values() -> str:
    values = []
    for column, kind in ATOMIC_FIELDS:
        text = _required(column) if column in ("event_id", "collector_tstamp") else column
        values.append(_checked(text, kind, column))
    return ", ".join(values)


def _items(stage: str, sources: tuple[ContextSource, ...], rows: str) -> str:
    """(event_id, collector_tstamp, context index, data) of every known context."""
    selects = [_envelope_items(stage, s, rows) if s.context is None else _column_items(stage, s, rows)
               for s in sources]
    if not selects:
        return "SELECT CAST(NULL AS TEXT) AS event_id, CAST(NULL AS TEXT) AS collector_tstamp, " \
               "CAST(NULL AS INT) AS context, CAST(NULL AS JSONB) AS data WHERE false"
    return "\n  UNION ALL ".join(selects)


def _envelope_items(stage: str, source: ContextSource, rows: str) -> str:
    """A self-describing envelope's items; `jsonb_array_elements` itself raises when `data`
    is no array, so a missing one becomes JSON null to make it raise too."""
    schema = (f"CASE WHEN jsonb_typeof(i.item -> 'schema') = 'string' THEN i.item ->> 'schema' "
              f"ELSE {_reject(source.label + ': a context without a schema')} END")
    index = "CASE " + " ".join(f"WHEN starts_with(schema, '{_prefix(c)}') THEN {n}"
                               for n, c in enumerate(CONTEXTS)) + " END"
    return (f"SELECT event_id, collector_tstamp, {index} AS context, data FROM ("
            f"SELECT s.event_id, s.collector_tstamp, {schema} AS schema, i.item -> 'data' AS data FROM {stage} s "
            f"CROSS JOIN LATERAL jsonb_array_elements(coalesce(CAST(s.{source.column} AS JSONB) -> 'data', 'null')) "
            f"AS i(item) WHERE s.{source.column} IS NOT NULL AND s.{rows}) e WHERE {index} IS NOT NULL")


def _column_items(stage: str, source: ContextSource, rows: str) -> str:
    """A CSV context column: an array of data objects or one, self-describing ones unwrapped.
    OFFSET 0 keeps the parsed value from being inlined (and parsed again) at each use."""
    assert source.context is not None
    data = ("CASE WHEN jsonb_typeof(i.item) = 'object' AND i.item ? 'schema' AND i.item ? 'data' "
            "AND i.item - 'schema' - 'data' = '{}' THEN i.item -> 'data' ELSE i.item END")
    return (f"SELECT s.event_id, s.collector_tstamp, {CONTEXTS.index(source.context)} AS context, {data} AS data "
            f"FROM {stage} s CROSS JOIN LATERAL (SELECT CAST(s.{source.column} AS JSONB) AS j OFFSET 0) p "
            f"CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(p.j) = 'array' THEN p.j "
            f"ELSE jsonb_build_array(p.j) END) AS i(item) "
            f"WHERE s.{source.column} IS NOT NULL AND jsonb_typeof(i.item) <> 'null' AND s.{rows}")


def _prefix(context: Context) -> str:
    return f"iglu:{context.vendor}/{context.name}/jsonschema/{context.major}-"


def _context_rows(context: Context, n: int) -> str:
    """root_id, root_tstamp and the typed fields of the items of one context."""
    data = (f"CASE WHEN jsonb_typeof(data) = 'object' THEN data "
            f"ELSE {_reject(context.table + ': the data is not an object', 'JSONB')} END")
    values = ", ".join(_context_value(prop, kind, f"{context.table}.{column}") for prop, column, kind in context.fields)
    return (f"SELECT event_id, {_checked('collector_tstamp', TS, 'collector_tstamp')}, {values} "
            f"FROM (SELECT event_id, collector_tstamp, {data} AS d FROM items WHERE context = {n}) x")


def _context_value(prop: str, kind: str, name: str) -> str:
    """A property as text (JSON text for numbers and objects) or, for booleans, a JSON
    boolean or one of the texts the atomic booleans take."""
    if kind != BOOL:
        return f"d ->> '{prop}'"
    value, text = f"d -> '{prop}'", f"lower(d ->> '{prop}')"
    return (f"CASE WHEN {value} IS NULL OR jsonb_typeof({value}) = 'null' THEN NULL "
            f"WHEN jsonb_typeof({value}) = 'boolean' THEN CAST({value} AS BOOLEAN) "
            f"WHEN jsonb_typeof({value}) = 'string' AND {text} IN {TRUE} THEN TRUE "
            f"WHEN jsonb_typeof({value}) = 'string' AND {text} IN {FALSE} THEN FALSE "
            f"ELSE {_reject(name, 'BOOLEAN')} END")
