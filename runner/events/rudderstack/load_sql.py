"""The set-based SQL that loads one staged chunk of a RudderStack file.

A chunk is staged as text columns `c1`, `c2`... (one per header column, in the file's order)
with its `ordinal`. Then, in the warehouse:

- `first_ordinals` / `rows_at`: the first value of each column the table does not have yet
  and no declaration types, which types it (`load_values.classify`, in Python);
- `insert`: the good rows, every value cast to its column's type, NULL where it does not fit;
- `discarded`: one `rudder_discards` row per value that did not fit;
- `checked_insert`: PostgreSQL's one statement for both;
- `refused`: the rows that could not load (no id, a clock that is no timestamp), for the
  rejects, looked for only when the insert took fewer rows than the chunk has.

The rules of `load_values.py` are written once per dialect (`DuckDBValues`, `PostgresValues`):
DuckDB has TRY_CAST; PostgreSQL 15 has no cast that does not raise, so its tests are shapes
and arithmetic that decide before any cast runs (CASE keeps the order of evaluation).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sluice.events.rudderstack.load_values import (
    BOOLEAN,
    BOOLEAN_TEXTS,
    BOOLEANS,
    DATETIME,
    DATETIME_SHAPE,
    FLOAT,
    INT,
    INT_SHAPE,
    NUMBER_SHAPE,
    STRING,
    ZERO_SHAPE,
)

#: RudderStack's clocks: a row whose clock is no timestamp is rejected, not discarded
CLOCKS = ("timestamp", "original_timestamp", "sent_at", "received_at", "uuid_ts")
#: the shape most exports write (RudderStack's own load files, the generator): UTC already
_UTC_MILLIS = "____-__-__T__:__:__.___Z"
#: PostgreSQL's to_char format that writes a timestamp back in that shape
_UTC_MILLIS_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'


def _text(items: Sequence[str]) -> str:
    return "(" + ", ".join(f"'{i}'" for i in items) + ")"


def quote(name: str) -> str:
    """A column name quoted (`timestamp`, `event` and any property name may be keywords);
    names are checked identifiers already folded for the warehouse."""
    return f'"{name}"'


class ValueSql:
    """One dialect's tests and casts of a text value `v` (never NULL when they run)."""

    def text(self, column: str) -> str:
        """A staged column's text, NULL for an empty field."""
        return f"NULLIF({column}, '')"

    def matches(self, v: str, shape: str) -> str:
        raise NotImplementedError

    def real_day(self, v: str) -> str:
        """`v`, a text of the datetime shape, names a day the month has."""
        raise NotImplementedError

    def fits(self, v: str, kind: str) -> str:
        if kind == DATETIME:  # the shape has checked all but the days in the month
            return f"CASE WHEN {self.matches(v, DATETIME_SHAPE)} THEN {self.real_day(v)} ELSE false END"
        if kind == BOOLEAN:
            return f"lower({v}) IN {_text(BOOLEAN_TEXTS)}"
        if kind == STRING:
            return "true"
        return self.fits_number(v, kind)

    def fits_number(self, v: str, kind: str) -> str:
        raise NotImplementedError

    def cast(self, v: str, kind: str) -> str:
        """`v`, which fits `kind`, as a value of it."""
        if kind == STRING:
            return v
        if kind == BOOLEAN:
            return f"(lower({v}) IN ('true', 't'))"
        if kind == INT:
            return f"CAST({v} AS BIGINT)"
        if kind == FLOAT:
            return f"CAST({v} AS DOUBLE PRECISION)"
        return self.cast_datetime(v)

    def cast_datetime(self, v: str) -> str:
        raise NotImplementedError

    def classify(self, v: str) -> str:
        """The kind `load_values.classify` gives `v`."""
        whens = " ".join(f"WHEN {self.fits(v, kind)} THEN '{kind}'" for kind in (DATETIME, INT, FLOAT))
        return f"CASE {whens} WHEN lower({v}) IN {_text(BOOLEANS)} THEN 'boolean' ELSE 'string' END"


class DuckDBValues(ValueSql):
    """RE2's full matches and TRY_CAST. https://duckdb.org/docs/sql/expressions/cast#try_cast"""

    def text(self, column: str) -> str:
        """DuckDB's CSV reader reads an empty field, quoted or not, as NULL already
        (`allow_quoted_nulls`). https://duckdb.org/docs/data/csv/overview"""
        return column

    def matches(self, v: str, shape: str) -> str:
        return f"regexp_full_match({v}, '{shape}')"

    def real_day(self, v: str) -> str:
        return f"TRY_CAST(substr({v}, 1, 10) AS DATE) IS NOT NULL"

    def fits_number(self, v: str, kind: str) -> str:
        if kind == INT:  # the JSON grammar's integers are the texts BIGINT gives back, and -0
            return f"(coalesce(CAST(TRY_CAST({v} AS BIGINT) AS VARCHAR) = {v}, false) OR {v} = '-0')"
        number = f"abs(TRY_CAST({v} AS DOUBLE))"
        return (f"({self.matches(v, NUMBER_SHAPE)} AND (coalesce({number} BETWEEN 1e-307 AND 1e308, false) "
                f"OR {self.matches(v, ZERO_SHAPE)}))")

    def cast_datetime(self, v: str) -> str:
        """The UTC shape and a date take the plain cast (which would ignore an offset); the
        others ICU's TIMESTAMPTZ, in the session's UTC. Fractions are cut to microseconds."""
        return (f"CASE WHEN {v} LIKE '{_UTC_MILLIS}' OR length({v}) = 10 THEN CAST({v} AS TIMESTAMP) "
                f"ELSE CAST(CAST({v} AS TIMESTAMPTZ) AS TIMESTAMP) END")


class PostgresValues(ValueSql):
    """POSIX regular expressions and NUMERIC arithmetic: PostgreSQL 15 has no cast that
    returns NULL instead of raising (16 has pg_input_is_valid).

    A regular expression costs about a microsecond a value, five times a cast. So the
    `optimistic` tests take the two common datetime shapes (`2024-03-01T10:00:00.000Z`, a
    date) by casting and writing the value back: the same text is a datetime of the rules, a
    different one is not, and one that raises (`2024-02-30`) makes the caller run the chunk
    again with the tests that never raise."""

    def __init__(self, optimistic: bool = False):
        self.optimistic = optimistic

    def matches(self, v: str, shape: str) -> str:
        return f"{v} ~ '^({shape})$'"

    def real_day(self, v: str) -> str:
        """The 29th to 31st compared with the month's last day: a DATE cast would raise."""
        day, month = f"substr({v}, 9, 2)", f"CAST(substr({v}, 1, 7) || '-01' AS DATE)"
        return (f"{day} <= '28' OR CAST({day} AS INTEGER) <= "
                f"CAST(extract(day FROM {month} + INTERVAL '1 month - 1 day') AS INTEGER)")

    def fits(self, v: str, kind: str) -> str:
        if kind != DATETIME or not self.optimistic:
            return super().fits(v, kind)
        written_back = f"to_char(CAST({v} AS TIMESTAMP), '{_UTC_MILLIS_FORMAT}')"
        return (f"CASE WHEN {v} LIKE '{_UTC_MILLIS}' THEN {written_back} = {v} "
                f"WHEN {v} LIKE '____-__-__' THEN to_char(CAST({v} AS DATE), 'YYYY-MM-DD') = {v} "
                f"ELSE {super().fits(v, kind)} END")

    def fits_number(self, v: str, kind: str) -> str:
        if kind == INT:
            return (f"CASE WHEN {self.matches(v, INT_SHAPE)} THEN length({v}) < 19 OR CAST({v} AS NUMERIC) "
                    f"BETWEEN -9223372036854775808 AND 9223372036854775807 ELSE false END")
        return (f"CASE WHEN {self.matches(v, NUMBER_SHAPE)} THEN abs(CAST({v} AS NUMERIC)) BETWEEN 1e-307 AND 1e308 "
                f"OR CAST({v} AS NUMERIC) = 0 ELSE false END")

    def cast_datetime(self, v: str) -> str:
        """The UTC shape as it is (a TIMESTAMP ignores its Z); others through TIMESTAMPTZ for
        the zone (the session is in UTC), a fraction past microseconds cut first (PostgreSQL
        would round it; DuckDB and Python cut)."""
        cut = f"CASE WHEN length({v}) > 26 THEN regexp_replace({v}, '([.][0-9]{{6}})[0-9]+', '\\1') ELSE {v} END"
        return (f"CASE WHEN {v} LIKE '{_UTC_MILLIS}' THEN CAST({v} AS TIMESTAMP) "
                f"ELSE CAST(CAST({cut} AS TIMESTAMPTZ) AS TIMESTAMP) END")


@dataclass(frozen=True)
class FileSql:
    """The statements for the chunks of one file: its staged columns, its table, and the
    kind of each column the table has (or will have before the insert runs)."""

    values: ValueSql
    stage: str
    #: header column -> staged column (`c1`...)
    staged: Mapping[str, str]
    relation: str
    table_name: str
    discards: str
    #: the literal stamped as uuid_ts where a row has none
    stamp: str

    def column(self, name: str) -> str:
        """A header column's text, an empty field (or `""`) as NULL."""
        return self.values.text(f"s.{self.staged[name]}")

    def good(self) -> str:
        checks = [f"{self.column('id')} IS NOT NULL" if "id" in self.staged else "false"]
        for clock in CLOCKS:
            if clock in self.staged:
                value = self.column(clock)
                checks.append(f"({value} IS NULL OR {self.values.fits(value, DATETIME)})")
        return " AND ".join(checks)

    def _from(self) -> str:
        return f"{self.stage} s"

    def refused(self) -> str:
        """(ordinal, id, the clocks) of the rows that cannot load."""
        shown = [self.column(c) if c in self.staged else "NULL" for c in ("id", *CLOCKS)]
        return (f"SELECT s.ordinal, {', '.join(shown)} FROM {self._from()} "
                f"WHERE NOT coalesce({self.good()}, false) ORDER BY s.ordinal")

    def first_ordinals(self, columns: Sequence[str]) -> str:
        """The ordinal of the first good row with a value, for each of `columns`."""
        firsts = ", ".join(f"min(s.ordinal) FILTER (WHERE {self.column(c)} IS NOT NULL)" for c in columns)
        return f"SELECT {firsts} FROM {self._from()} WHERE {self.good()}"

    def rows_at(self, columns: Sequence[str], ordinals: Sequence[int]) -> str:
        """(ordinal, the columns' texts) of the rows at `ordinals`."""
        texts = ", ".join(self.column(c) for c in columns)
        return (f"SELECT s.ordinal, {texts} FROM {self._from()} "
                f"WHERE s.ordinal IN ({', '.join(str(int(n)) for n in ordinals)})")

    def _uuid_ts(self) -> str:
        if "uuid_ts" not in self.staged:
            return self.stamp
        return f"coalesce({self.values.cast(self.column('uuid_ts'), DATETIME)}, {self.stamp})"

    def _fit(self, name: str, kind: str, flags: bool) -> str:
        """Whether the column's value fits `kind` (true for NULL): the test itself, or the
        flag `checked` computed it into."""
        if flags:
            return f"s.f_{self.staged[name]}"
        value = self.column(name)
        return f"CASE WHEN {value} IS NULL THEN true ELSE coalesce({self.values.fits(value, kind)}, false) END"

    def _good(self, flags: bool) -> str:
        return "s.sluice_good" if flags else self.good()

    def _typed_columns(self, kinds: Mapping[str, str]) -> list[tuple[str, str]]:
        """The columns whose values may not fit: typed, and no clock (a bad clock rejects its row)."""
        return [(n, kinds[n]) for n in self.staged if n in kinds and kinds[n] != STRING and n not in CLOCKS]

    def _typed(self, name: str, kind: str, flags: bool) -> str:
        value = self.column(name)
        if kind == STRING:
            return value
        if name in CLOCKS and kind == DATETIME:  # good() has checked it: a bad clock rejects its row
            return self.values.cast(value, kind)
        return f"CASE WHEN {self._fit(name, kind, flags)} THEN {self.values.cast(value, kind)} END"

    def insert(self, kinds: Mapping[str, str], flags: bool = False) -> str:
        """The good rows into the table: the header columns it has (`kinds`), and uuid_ts.
        `flags`: read `checked`'s rows, whose tests are done, instead of the stage."""
        names = [n for n in self.staged if n in kinds and n != "uuid_ts"]
        values = [self._typed(n, kinds[n], flags) for n in names]
        columns = ", ".join(quote(n) for n in [*names, "uuid_ts"])
        source = "checked s" if flags else self._from()
        return (f"INSERT INTO {self.relation} ({columns}) SELECT {', '.join([*values, self._uuid_ts()])} "
                f"FROM {source} WHERE {self._good(flags)}")

    def discarded(self, kinds: Mapping[str, str], flags: bool = False) -> str | None:
        """A `rudder_discards` row for each value of a good row that does not fit its column;
        None when no column of the file is typed (a string takes anything). The rows with
        such a value are found first, column by column, so only they are unpivoted."""
        typed = self._typed_columns(kinds)
        if not typed:
            return None
        misfits = " OR ".join(f"NOT ({self._fit(n, k, flags)})" for n, k in typed)
        rows = ", ".join(f"('{n}', '{k}', {self.column(n)}, {self._fit(n, k, flags)})" for n, k in typed)
        received = self.column("received_at") if "received_at" in self.staged else "NULL"
        received_at = f"CASE WHEN {received} IS NOT NULL THEN {self.values.cast(received, DATETIME)} END"
        reason = f"'incompatible schema conversion from ' || d.kind || ' to ' || {self.values.classify('d.value')}"
        source = "checked s" if flags else self._from()
        return (f"INSERT INTO {self.discards} (row_id, table_name, column_name, column_value, reason, received_at, "
                f"uuid_ts) SELECT {self.column('id')}, '{self.table_name}', d.name, d.value, {reason}, {received_at}, "
                f"{self._uuid_ts()} FROM (SELECT * FROM {source} WHERE {self._good(flags)} AND ({misfits})) s "
                f"CROSS JOIN LATERAL (VALUES {rows}) AS d(name, kind, value, fit) "
                f"WHERE d.value IS NOT NULL AND NOT d.fit")

    def checked_insert(self, kinds: Mapping[str, str]) -> str:
        """PostgreSQL's one statement for a chunk (data-modifying CTEs): every test run once
        into `checked`, then the inserts into the table and into rudder_discards read its
        flags. Returns (rows inserted, values discarded).
        https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING"""
        flags = "".join(f", {self._fit(n, k, False)} AS f_{self.staged[n]}" for n, k in self._typed_columns(kinds))
        parts = [f"checked AS MATERIALIZED (SELECT s.*, {self.good()} AS sluice_good{flags} FROM {self._from()})",
                 f"ins AS ({self.insert(kinds, flags=True)} RETURNING 1)"]
        discarded = self.discarded(kinds, flags=True)
        if discarded:
            parts.append(f"dis AS ({discarded} RETURNING 1)")
        counts = "(SELECT count(*) FROM ins), " + ("(SELECT count(*) FROM dis)" if discarded else "0")
        return "WITH " + ",\n".join(parts) + f"\nSELECT {counts}"
