"""The dialect macros compute the same values on real DuckDB and PostgreSQL.

One table of cases, each a query and the rows it must return, run on both engines. Sessions
run in America/New_York (not UTC) and dates straddle its 2020-03-08 DST change, so a macro
that leans on the session time zone shows. Redshift's rendering is checked by parsing in
tests/unit/test_macros.py; its `series` is plain SQL and also runs here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

import duckdb
import psycopg
import pytest

from sluice.render.renderer import Renderer

SESSION_TIME_ZONE = "America/New_York"


@dataclass(frozen=True)
class Engine:
    dialect: str
    execute: Callable[[str], Any]
    fetch: Callable[[str], list[tuple]]

    def rows(self, template: str, dialect: str | None = None) -> list[tuple]:
        """Render for `dialect` (this engine's by default) and run; the last statement's rows.

        Statements are separated by a semicolon at the end of a line."""
        sql = render(template, dialect or self.dialect)
        *setup, query = [s for s in sql.split(";\n") if s.strip()]
        for statement in setup:
            self.execute(statement)
        return self.fetch(query)


@cache
def renderer(dialect: str) -> Renderer:
    return Renderer(dialect)


def render(template: str, dialect: str) -> str:
    return renderer(dialect).render(template, {}, "test.sql")


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request) -> Iterator[Engine]:
    if request.param == "duckdb":
        conn = duckdb.connect()
        conn.execute(f"SET TimeZone = '{SESSION_TIME_ZONE}'")
        yield Engine("duckdb", conn.execute, lambda sql: conn.execute(sql).fetchall())
        conn.close()
    else:
        with psycopg.connect(request.getfixturevalue("pg_dsn"), autocommit=True) as conn:
            conn.execute(f"SET TIME ZONE '{SESSION_TIME_ZONE}'")
            yield Engine("postgres", conn.execute, lambda sql: conn.execute(sql).fetchall())


def ts(text: str) -> str:
    return f"TIMESTAMP '{text}'"


def call(name: str, *args: object) -> str:
    """`{{ name(args) }}`, each argument a Python value written as a Jinja literal."""
    return "{{ " + f"{name}({', '.join(repr(a) for a in args)})" + " }}"


def select(name: str, *args: object) -> str:
    return f"SELECT {call(name, *args)}"


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def check(actual: Any, expected: Any) -> None:
    """Equal, and of the kind expected: ints are ints, timestamps naive, decimals exact."""
    if isinstance(expected, bool) or expected is None:
        assert actual is expected
    elif isinstance(expected, int):
        assert isinstance(actual, int) and actual == expected
    elif isinstance(expected, Decimal):
        # PostgreSQL answers numeric, DuckDB a double: compare the shortest decimal text.
        assert isinstance(actual, (Decimal, float)) and Decimal(str(actual)) == expected
    elif isinstance(expected, datetime):
        assert isinstance(actual, datetime) and actual.tzinfo is None and actual == expected
    else:
        assert type(actual) is type(expected) and actual == expected


BOT_PATTERN = (
    "'(bot|crawl|slurp|spider|archiv|spinn|sniff|seo|audit|survey|pingdom|worm|capture|(browser|screen)shots"
    "|analyz|index|thumb|check|facebook|PingdomBot|PhantomJS|YandexBot|Twitterbot|a_archiver"
    "|facebookexternalhit|Bingbot|BingPreview|Googlebot|Baiduspider|360(Spider|User-agent)|semalt)'"
)
USER_AGENTS = """(VALUES
    (1, 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'),
    (2, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0'),
    (3, 'Mozilla/5.0 (compatible; 360Spider)'),
    (4, NULL)) AS t(id, ua)"""
TEXTS = """(VALUES (1, '12'), (2, ' -3 '), (3, '+7'), (4, 'abc'), (5, '1.5'), (6, '1e3'),
    (7, '99999999999999999999'), (8, ''), (9, NULL)) AS t(id, v)"""
JSON_DOC = """(VALUES ('{"id": "5f1c", "n": 2, "nothing": null, "$x": "dollar", "it''s": "quoted"}')) AS t(doc)"""


def case(name: str, template: str, *rows: tuple) -> Any:
    return pytest.param(template, list(rows), id=name)


CASES = [
    # dateadd: any sign of amount, month ends clamp, no DST in naive time
    case("dateadd-day", select("dateadd", "day", 3, ts("2020-01-01 12:00")), (dt("2020-01-04 12:00"),)),
    case("dateadd-negative-hours", select("dateadd", "hour", -25, ts("2020-01-02 00:30")), (dt("2019-12-31 23:30"),)),
    case("dateadd-negative-month-end", select("dateadd", "month", -1, ts("2020-03-31 08:00")),
         (dt("2020-02-29 08:00"),)),
    case("dateadd-across-dst", select("dateadd", "hour", 24, ts("2020-03-07 12:00")), (dt("2020-03-08 12:00"),)),
    case("dateadd-column-amount",
         select("dateadd", "day", "-n", ts("2020-01-10 00:00")) + " FROM {{ series('n', 1, 3) }} ORDER BY 1",
         (dt("2020-01-07"),), (dt("2020-01-08"),), (dt("2020-01-09"),)),
    # date_trunc: a TIMESTAMP whatever goes in (PostgreSQL would make a DATE a timestamptz)
    case("date_trunc-week-of-date", select("date_trunc", "week", "DATE '2024-01-07'"), (dt("2024-01-01"),)),
    case("date_trunc-day", select("date_trunc", "day", ts("2020-03-08 23:59:59.9")), (dt("2020-03-08"),)),
    case("date_trunc-month", select("date_trunc", "month", ts("2020-02-29 10:00")), (dt("2020-02-01"),)),
    # datediff: boundaries crossed, like Redshift's DATEDIFF; weeks start on Monday
    case("datediff-day-boundary", select("datediff", "day", ts("2020-01-01 23:00"), ts("2020-01-02 01:00")), (1,)),
    case("datediff-day-reversed", select("datediff", "day", ts("2020-01-02 01:00"), ts("2020-01-01 23:00")), (-1,)),
    case("datediff-day-same-day", select("datediff", "day", ts("2020-01-01 00:00"), ts("2020-01-01 23:59")), (0,)),
    case("datediff-day-dates-across-dst", select("datediff", "day", "DATE '2020-03-07'", "DATE '2020-03-09'"), (2,)),
    case("datediff-week-sunday-to-monday",
         select("datediff", "week", ts("2024-01-07 23:00"), ts("2024-01-08 01:00")), (1,)),
    case("datediff-week-within", select("datediff", "week", ts("2024-01-01 00:00"), ts("2024-01-07 23:59")), (0,)),
    case("datediff-week-reversed", select("datediff", "week", ts("2024-01-08 00:00"), ts("2024-01-07 00:00")), (-1,)),
    case("datediff-month-boundary", select("datediff", "month", ts("2020-01-31"), ts("2020-02-01")), (1,)),
    case("datediff-month-within-year", select("datediff", "month", ts("2020-01-01"), ts("2020-12-31")), (11,)),
    case("datediff-month-reversed", select("datediff", "month", ts("2021-03-01"), ts("2020-12-31")), (-3,)),
    case("datediff-year-boundary", select("datediff", "year", ts("2019-12-31 23:59"), ts("2020-01-01")), (1,)),
    case("datediff-hour", select("datediff", "hour", ts("2020-01-01 12:59:59"), ts("2020-01-01 13:00:01")), (1,)),
    case("datediff-minute",
         select("datediff", "minute", ts("2020-01-01 12:00:59.9"), ts("2020-01-01 12:01:00.1")), (1,)),
    case("datediff-second",
         select("datediff", "second", ts("2020-01-01 00:00:00.9"), ts("2020-01-01 00:00:01.1")), (1,)),
    # epoch_seconds / timestamp_from_epoch: fractions kept, both directions
    case("epoch_seconds-fraction", select("epoch_seconds", ts("2020-01-01 00:00:00.123456")),
         (Decimal("1577836800.123456"),)),
    case("epoch_seconds-before-1970", select("epoch_seconds", ts("1969-12-31 23:59:59.5")), (Decimal("-0.5"),)),
    case("epoch_seconds-date", select("epoch_seconds", "DATE '2020-01-01'"), (Decimal("1577836800"),)),
    case("timestamp_from_epoch-fraction", select("timestamp_from_epoch", "1577836800.5"),
         (dt("2020-01-01 00:00:00.5"),)),
    case("timestamp_from_epoch-negative", select("timestamp_from_epoch", "-1.5"), (dt("1969-12-31 23:59:58.5"),)),
    case("timestamp_from_epoch-round-trip",
         "SELECT {{ timestamp_from_epoch(epoch_seconds(\"TIMESTAMP '2021-06-30 12:34:56.789012'\")) }}",
         (dt("2021-06-30 12:34:56.789012"),)),
    # seconds_between: exact elapsed time, never boundary counting
    case("seconds_between-microsecond",
         select("seconds_between", ts("2020-01-01 00:00:00"), ts("2020-01-01 00:00:01.000001")),
         (Decimal("1.000001"),)),
    case("seconds_between-across-midnight",
         select("seconds_between", ts("2020-01-01 23:59:59.5"), ts("2020-01-02 00:00:00.25")), (Decimal("0.75"),)),
    case("seconds_between-reversed",
         select("seconds_between", ts("2020-01-02 00:00:00.25"), ts("2020-01-01 23:59:59.5")), (Decimal("-0.75"),)),
    case("seconds_between-across-dst", select("seconds_between", ts("2020-03-08 00:00"), ts("2020-03-09 00:00")),
         (Decimal("86400"),)),
    # to_date
    case("to_date", select("to_date", ts("2020-01-01 23:59:59")), (date(2020, 1, 1),)),
    # string_agg: ordering within each group
    case("string_agg-order",
         "SELECT g, {{ string_agg('x', \"','\", 'y') }} FROM (VALUES (1, 'a', 2), (1, 'b', 1), (1, 'c', 3), "
         "(2, 'z', 1)) AS t(g, x, y) GROUP BY g ORDER BY g", (1, "b,a,c"), (2, "z")),
    case("string_agg-descending",
         "SELECT {{ string_agg('x', \"' > '\", 'y DESC') }} FROM (VALUES ('a', 2), ('b', 1), ('c', 3)) AS t(x, y)",
         ("c > a > b",)),
    # string_type holds long text
    case("string_type", "SELECT LENGTH(CAST(REPEAT('x', 3000) AS {{ string_type() }}))", (3000,)),
    # regex_match: a partial match, the Snowplow bot pattern, NULL stays NULL
    case("regex_match-bot-filter",
         f"SELECT id, {call('regex_match', 'ua', BOT_PATTERN)} FROM {USER_AGENTS} ORDER BY id",
         (1, True), (2, False), (3, True), (4, None)),
    case("regex_match-anchored",
         "SELECT id, " + call("regex_match", "ua", "'^Mozilla/5[.]0 [(]Windows'") + f" FROM {USER_AGENTS} ORDER BY id",
         (1, False), (2, True), (3, False), (4, None)),
    # safe_cast_int: integers of up to 18 digits, anything else NULL
    case("safe_cast_int", f"SELECT id, {call('safe_cast_int', 'v')} FROM {TEXTS} ORDER BY id",
         (1, 12), (2, -3), (3, 7), (4, None), (5, None), (6, None), (7, None), (8, None), (9, None)),
    # json_extract_text: text of a top-level key, NULL when absent or null
    case("json_extract_text-string", f"{select('json_extract_text', 'doc', 'id')} FROM {JSON_DOC}", ("5f1c",)),
    case("json_extract_text-number", f"{select('json_extract_text', 'doc', 'n')} FROM {JSON_DOC}", ("2",)),
    case("json_extract_text-null", f"{select('json_extract_text', 'doc', 'nothing')} FROM {JSON_DOC}", (None,)),
    case("json_extract_text-missing", f"{select('json_extract_text', 'doc', 'absent')} FROM {JSON_DOC}", (None,)),
    case("json_extract_text-dollar-key", f"{select('json_extract_text', 'doc', '$x')} FROM {JSON_DOC}",
         ("dollar",)),
    case("json_extract_text-quote-key", select("json_extract_text", "doc", "it's") + f" FROM {JSON_DOC}",
         ("quoted",)),
    # local_date: the calendar day in a reporting time zone, DST included (New York: UTC-5 in
    # winter, UTC-4 from 2024-03-10 07:00 UTC), whatever the session's time zone
    case("local_date-utc", select("local_date", ts("2024-03-09 23:30"), "UTC"), (date(2024, 3, 9),)),
    case("local_date-winter", select("local_date", ts("2024-03-10 03:30"), "America/New_York"),
         (date(2024, 3, 9),)),
    case("local_date-summer", select("local_date", ts("2024-07-01 03:59"), "America/New_York"),
         (date(2024, 6, 30),)),
    case("local_date-after-midnight", select("local_date", ts("2024-07-01 04:00"), "America/New_York"),
         (date(2024, 7, 1),)),
    # regex_replace: anchored patterns mean the same on every warehouse
    case("regex_replace-prefix", "SELECT {{ regex_replace(\"'www.google.com'\", \"'^www[.]'\", \"''\") }}",
         ("google.com",)),
    case("regex_replace-suffix", "SELECT {{ regex_replace(\"'ecosia.org'\", \"'[.]org$'\", \"''\") }}",
         ("ecosia",)),
    case("regex_replace-no-match", "SELECT {{ regex_replace(\"'bing.com'\", \"'^www[.]'\", \"''\") }}",
         ("bing.com",)),
    # hash_md5: hex digest of the text form, whatever the type
    case("hash_md5-text", "SELECT {{ hash_md5(\"'abc'\") }}", (hashlib.md5(b"abc").hexdigest(),)),
    case("hash_md5-integer", "SELECT {{ hash_md5('42') }}", (hashlib.md5(b"42").hexdigest(),)),
    # table_options: nothing outside Redshift, so the DDL still runs
    case("table_options",
         "CREATE TABLE t{{ table_options('a', ['a', 'b']) }} AS SELECT 1 AS a, 2 AS b;\nSELECT a, b FROM t", (1, 2)),
    # series: inclusive bounds, empty when reversed
    case("series", "SELECT n FROM {{ series('n', 1, 4) }} ORDER BY n", (1,), (2,), (3,), (4,)),
    case("series-empty", "SELECT COUNT(*) FROM {{ series('n', 3, 2) }}", (0,)),
    # first_per: the first row per key in order, and how many rows share the key
    case("first_per-count",
         "SELECT k, ts, first_rank, copies FROM {{ first_per(\"(SELECT 'a' AS k, 2 AS ts UNION ALL SELECT 'a', 1 "
         "UNION ALL SELECT 'a', 3 UNION ALL SELECT 'b', 5)\", 'k', 'ts', count_as='copies') }} AS f ORDER BY k",
         ("a", 1, 1, 3), ("b", 5, 1, 1)),
    # intermediate: its readers see the query's rows, stored or not
    case("intermediate",
         "{{ intermediate('w', 'SELECT 1 AS k UNION ALL SELECT 2') }};\n"
         "SELECT SUM(k), COUNT(*) FROM {{ intermediate_from('w', 'SELECT 1 AS k UNION ALL SELECT 2') }} AS x",
         (3, 2)),
    # unpivot: a row per entry for each source row, the kept columns repeated, NULLs kept
    case("unpivot",
         "SELECT * FROM ({{ unpivot(\"(SELECT 'v1' AS k, 2.5 AS x, 'red' AS c UNION ALL "
         "SELECT 'v2', NULL, 'blue') AS w\", ['w.k'], ['name', 'num', 'txt'], "
         "[[\"'x'\", 'w.x', 'CAST(NULL AS VARCHAR)'], [\"'c'\", 'CAST(NULL AS DECIMAL(4, 1))', 'w.c']]) }}) AS u "
         "ORDER BY k, name",
         ("v1", "c", None, "red"), ("v1", "x", Decimal("2.5"), None),
         ("v2", "c", None, "blue"), ("v2", "x", None, None)),
]


@pytest.mark.parametrize(("template", "expected"), CASES)
def test_macro_values(engine, template, expected):
    rows = engine.rows(template)
    assert len(rows) == len(expected), rows
    for row, want in zip(rows, expected, strict=True):
        assert len(row) == len(want), row
        for actual, value in zip(row, want, strict=True):
            check(actual, value)


def test_current_ts_is_naive_utc_now(engine):
    before = datetime.now(timezone.utc).replace(tzinfo=None)
    [(value,)] = engine.rows(select("current_ts"))
    after = datetime.now(timezone.utc).replace(tzinfo=None)
    assert value.tzinfo is None
    # The engine's clock is this machine's; allow for a transaction that began a little earlier.
    assert before - timedelta(seconds=5) <= value <= after + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("start", "stop", "expected"),
    [(1, 1, [1]), (1, 5, [1, 2, 3, 4, 5]), (0, 16, list(range(17))), (-2, 2, [-2, -1, 0, 1, 2]), (3, 2, []),
     (1, "2 + 3", [1, 2, 3, 4, 5])],
)
def test_redshift_series_sql_counts_like_generate_series(engine, start, stop, expected):
    """Redshift's series is a cross join of bits, not GENERATE_SERIES: its numbers, run here."""
    template = f"SELECT n FROM {call('series', 'n', start, stop)} ORDER BY n"
    assert [n for (n,) in engine.rows(template, dialect="redshift")] == expected
    assert [n for (n,) in engine.rows(template)] == expected
