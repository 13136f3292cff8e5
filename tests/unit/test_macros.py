"""The dialect macros of sql/macros/: the SQL each renders per warehouse, and that it parses.

One table per macro, in the manner of sqlglot's `validate_all`: a template and the exact text
it renders to on DuckDB, PostgreSQL and Redshift. What the SQL computes is checked on real
DuckDB and PostgreSQL in tests/integration/test_macros_exec.py; Redshift is checked here by
parsing with sqlglot's Redshift dialect, inside the statements the web model writes.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
import sqlglot
from sqlglot import exp

from sluice import resources
from sluice.errors import TemplateError
from sluice.render.renderer import Renderer

DIALECTS = ("duckdb", "postgres", "redshift")


@cache
def renderer(dialect: str) -> Renderer:
    return Renderer(dialect)


def render(template: str, dialect: str) -> str:
    return renderer(dialect).render(template, {}, "test.sql")


def validate_all(template: str, expected: dict[str, str]) -> None:
    assert set(expected) == set(DIALECTS), "every table row names all three dialects"
    for dialect, sql in expected.items():
        assert render(template, dialect) == sql, dialect


def same(sql: str) -> dict[str, str]:
    """A row whose SQL is the same text on every warehouse."""
    return dict.fromkeys(DIALECTS, sql)


DATEADD = [
    ("{{ dateadd('day', 3, 'ts') }}", {
        "duckdb": "(ts + (3) * INTERVAL '1 day')",
        "postgres": "(ts + (3) * INTERVAL '1 day')",
        "redshift": "DATEADD(day, 3, ts)",
    }),
    ("{{ dateadd('hour', '-n', 'e.collector_tstamp') }}", {
        "duckdb": "(e.collector_tstamp + (-n) * INTERVAL '1 hour')",
        "postgres": "(e.collector_tstamp + (-n) * INTERVAL '1 hour')",
        "redshift": "DATEADD(hour, -n, e.collector_tstamp)",
    }),
]

DATE_TRUNC = [
    ("{{ date_trunc('week', 'ts') }}", same("DATE_TRUNC('week', CAST(ts AS TIMESTAMP))")),
]

DATEDIFF = [
    ("{{ datediff('day', 'a', 'b') }}", {
        "duckdb": "DATE_DIFF('day', a, b)",
        "postgres": "CAST((EXTRACT(EPOCH FROM DATE_TRUNC('day', CAST(b AS TIMESTAMP)))"
                    " - EXTRACT(EPOCH FROM DATE_TRUNC('day', CAST(a AS TIMESTAMP)))) / 86400 AS BIGINT)",
        "redshift": "DATEDIFF(day, a, b)",
    }),
    ("{{ datediff('second', 'a', 'b') }}", {
        "duckdb": "DATE_DIFF('second', a, b)",
        "postgres": "CAST((EXTRACT(EPOCH FROM DATE_TRUNC('second', CAST(b AS TIMESTAMP)))"
                    " - EXTRACT(EPOCH FROM DATE_TRUNC('second', CAST(a AS TIMESTAMP)))) / 1 AS BIGINT)",
        "redshift": "DATEDIFF(second, a, b)",
    }),
    ("{{ datediff('week', 'a', 'b') }}", {
        "duckdb": "CAST(DATE_DIFF('day', DATE_TRUNC('week', CAST(a AS TIMESTAMP)),"
                  " DATE_TRUNC('week', CAST(b AS TIMESTAMP))) / 7 AS BIGINT)",
        "postgres": "CAST((EXTRACT(EPOCH FROM DATE_TRUNC('week', CAST(b AS TIMESTAMP)))"
                    " - EXTRACT(EPOCH FROM DATE_TRUNC('week', CAST(a AS TIMESTAMP)))) / 604800 AS BIGINT)",
        "redshift": "(DATEDIFF(day, DATE_TRUNC('week', a), DATE_TRUNC('week', b)) / 7)",
    }),
    ("{{ datediff('month', 'a', 'b') }}", {
        "duckdb": "DATE_DIFF('month', a, b)",
        "postgres": "CAST((EXTRACT(YEAR FROM CAST(b AS TIMESTAMP)) - EXTRACT(YEAR FROM CAST(a AS TIMESTAMP)))"
                    " * 12 + (EXTRACT(MONTH FROM CAST(b AS TIMESTAMP)) - EXTRACT(MONTH FROM CAST(a AS TIMESTAMP)))"
                    " AS BIGINT)",
        "redshift": "DATEDIFF(month, a, b)",
    }),
    ("{{ datediff('year', 'a', 'b') }}", {
        "duckdb": "DATE_DIFF('year', a, b)",
        "postgres": "CAST((EXTRACT(YEAR FROM CAST(b AS TIMESTAMP)) - EXTRACT(YEAR FROM CAST(a AS TIMESTAMP)))"
                    " AS BIGINT)",
        "redshift": "DATEDIFF(year, a, b)",
    }),
]

EPOCH_SECONDS = [
    ("{{ epoch_seconds('ts') }}", {
        "duckdb": "(EPOCH_US(ts) / 1000000.0)",
        "postgres": "EXTRACT(EPOCH FROM ts)",
        "redshift": "(DATEDIFF(microsecond, TIMESTAMP '1970-01-01 00:00:00', ts) / 1000000.0)",
    }),
]

TIMESTAMP_FROM_EPOCH = [
    ("{{ timestamp_from_epoch('s') }}", same("(TIMESTAMP '1970-01-01 00:00:00' + (s) * INTERVAL '1 second')")),
]

SECONDS_BETWEEN = [
    ("{{ seconds_between('a', 'b') }}", {
        "duckdb": "((EPOCH_US(b) - EPOCH_US(a)) / 1000000.0)",
        "postgres": "(EXTRACT(EPOCH FROM b) - EXTRACT(EPOCH FROM a))",
        "redshift": "(DATEDIFF(microsecond, a, b) / 1000000.0)",
    }),
]

CURRENT_TS = [
    ("{{ current_ts() }}", {
        "duckdb": "CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TIMESTAMP)",
        "postgres": "CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TIMESTAMP)",
        "redshift": "SYSDATE",
    }),
]

TO_DATE = [
    ("{{ to_date('ts') }}", same("CAST(ts AS DATE)")),
]

LOCAL_DATE = [
    ("{{ local_date('ts', 'UTC') }}", same("CAST(ts AS DATE)")),
    ("{{ local_date('ts', 'Europe/Berlin') }}", {
        "duckdb": "CAST(CAST((ts AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Berlin' AS TIMESTAMP) AS DATE)",
        "postgres": "CAST(CAST((ts AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Berlin' AS TIMESTAMP) AS DATE)",
        "redshift": "CAST(CONVERT_TIMEZONE('UTC', 'Europe/Berlin', ts) AS DATE)",
    }),
]

STRING_AGG = [
    ("{{ string_agg('page', \"', '\", 'tstamp DESC') }}", {
        "duckdb": "STRING_AGG(page, ', ' ORDER BY tstamp DESC)",
        "postgres": "STRING_AGG(page, ', ' ORDER BY tstamp DESC)",
        "redshift": "LISTAGG(page, ', ') WITHIN GROUP (ORDER BY tstamp DESC)",
    }),
]

STRING_TYPE = [
    ("{{ string_type() }}", {"duckdb": "VARCHAR", "postgres": "VARCHAR", "redshift": "VARCHAR(65535)"}),
]

REGEX_MATCH = [
    ("{{ regex_match('useragent', \"'(bot|spider)'\") }}", {
        "duckdb": "REGEXP_MATCHES(useragent, '(bot|spider)')",
        "postgres": "(useragent ~ '(bot|spider)')",
        "redshift": "(useragent ~ '(bot|spider)')",
    }),
]

REGEX_REPLACE = [
    ("{{ regex_replace('host', \"'^www[.]'\", \"''\") }}", same("REGEXP_REPLACE(host, '^www[.]', '')")),
]

SAFE_CAST_INT = [
    ("{{ safe_cast_int('v') }}", {
        "duckdb": "CASE WHEN REGEXP_MATCHES(TRIM(v), '^[+-]?[0-9]{1,18}$') THEN CAST(TRIM(v) AS BIGINT) END",
        "postgres": "CASE WHEN TRIM(v) ~ '^[+-]?[0-9]{1,18}$' THEN CAST(TRIM(v) AS BIGINT) END",
        "redshift": "CASE WHEN TRIM(v) ~ '^[+-]?[0-9]{1,18}$' THEN CAST(TRIM(v) AS BIGINT) END",
    }),
]

JSON_EXTRACT_TEXT = [
    ("{{ json_extract_text('ctx', 'id') }}", {
        "duckdb": "JSON_EXTRACT_STRING(ctx, '$.\"id\"')",
        "postgres": "(CAST(ctx AS JSON) ->> 'id')",
        "redshift": "JSON_EXTRACT_PATH_TEXT(ctx, 'id')",
    }),
    ("{{ json_extract_text('ctx', \"it's\") }}", {
        "duckdb": "JSON_EXTRACT_STRING(ctx, '$.\"it''s\"')",
        "postgres": "(CAST(ctx AS JSON) ->> 'it''s')",
        "redshift": "JSON_EXTRACT_PATH_TEXT(ctx, 'it''s')",
    }),
]

HASH_MD5 = [
    ("{{ hash_md5('user_id') }}", {
        "duckdb": "MD5(CAST(user_id AS VARCHAR))",
        "postgres": "MD5(CAST(user_id AS VARCHAR))",
        "redshift": "MD5(CAST(user_id AS VARCHAR(65535)))",
    }),
]

TABLE_OPTIONS = [
    ("t{{ table_options('domain_userid', ['start_tstamp', 'domain_sessionid']) }}", {
        "duckdb": "t",
        "postgres": "t",
        "redshift": "t DISTSTYLE KEY DISTKEY (domain_userid) COMPOUND SORTKEY (start_tstamp, domain_sessionid)",
    }),
    ("t{{ table_options('all', 'collector_tstamp') }}", {
        "duckdb": "t",
        "postgres": "t",
        "redshift": "t DISTSTYLE ALL COMPOUND SORTKEY (collector_tstamp)",
    }),
    ("t{{ table_options('EVEN') }}", {"duckdb": "t", "postgres": "t", "redshift": "t DISTSTYLE EVEN"}),
    ("t{{ table_options(sort_keys=['a']) }}", {"duckdb": "t", "postgres": "t", "redshift": "t COMPOUND SORTKEY (a)"}),
    ("t{{ table_options() }}", same("t")),
]


def _bits(n: int) -> tuple[str, str]:
    offset = " + ".join(f"b{i}.b * {2 ** i}" for i in range(n))
    joins = " CROSS JOIN ".join(f"(SELECT 0 AS b UNION ALL SELECT 1) AS b{i}" for i in range(n))
    return offset, joins


SERIES = [
    ("{{ series('n', 1, 3) }}", {
        "duckdb": "GENERATE_SERIES(1, 3) AS series(n)",
        "postgres": "GENERATE_SERIES(1, 3) AS series(n)",
        "redshift": "(SELECT (1) + {0} AS n\nFROM {1}\nWHERE {0} <= (3) - (1)) AS series".format(*_bits(2)),
    }),
    ("{{ series('d', 0, 0) }}", {
        "duckdb": "GENERATE_SERIES(0, 0) AS series(d)",
        "postgres": "GENERATE_SERIES(0, 0) AS series(d)",
        "redshift": "(SELECT (0) + {0} AS d\nFROM {1}\nWHERE {0} <= (0) - (0)) AS series".format(*_bits(1)),
    }),
    ("{{ series('n', 1, 'k') }}", {
        "duckdb": "GENERATE_SERIES(1, k) AS series(n)",
        "postgres": "GENERATE_SERIES(1, k) AS series(n)",
        "redshift": "(SELECT (1) + {0} AS n\nFROM {1}\nWHERE {0} <= (k) - (1)) AS series".format(*_bits(16)),
    }),
]

COLUMN_TYPE = [
    ("{{ column_type('string') }}", {"duckdb": "VARCHAR", "postgres": "VARCHAR", "redshift": "VARCHAR(4096)"}),
    ("{{ column_type('double') }}", same("DOUBLE PRECISION")),
    ("{{ column_type('decimal') }}", same("DECIMAL(18, 2)")),
]

CREATE_TABLE_AS = [
    ("{{ create_table_as('d.t', 'SELECT * FROM s.t') }}", same("CREATE TABLE d.t AS SELECT * FROM s.t")),
    ("{{ create_table_as('d.t', 'SELECT a FROM s.t', dist_key='k', sort_keys='ts') }}", {
        "duckdb": "CREATE TABLE d.t AS SELECT a FROM s.t",
        "postgres": "CREATE TABLE d.t AS SELECT a FROM s.t",
        "redshift": "CREATE TABLE d.t DISTSTYLE KEY DISTKEY (k) COMPOUND SORTKEY (ts) AS SELECT a FROM s.t",
    }),
]

ADD_COLUMN = [
    ("{{ add_column('d.t', 'category', 'VARCHAR') }}", {
        "duckdb": "ALTER TABLE d.t ADD COLUMN IF NOT EXISTS category VARCHAR",
        "postgres": "ALTER TABLE d.t ADD COLUMN IF NOT EXISTS category VARCHAR",
        "redshift": "ALTER TABLE d.t ADD COLUMN category VARCHAR",
    }),
]

APPENDED = 'INSERT INTO d.t ("k", "x", "y")\nSELECT "k", "x", "y" FROM s.t'
APPEND = [
    # a new table takes the source's columns, with its rows
    ("{{ append('d.t', 's.t', [], dist_key='k', sort_keys='ts') }}", {
        "duckdb": "CREATE TABLE d.t AS SELECT * FROM s.t",
        "postgres": "CREATE TABLE d.t AS SELECT * FROM s.t",
        "redshift": "CREATE TABLE d.t DISTSTYLE KEY DISTKEY (k) COMPOUND SORTKEY (ts) AS SELECT * FROM s.t",
    }),
    # an existing one: by name, a column added, one the source no longer has left out
    ("{{ append('d.t', 's.t', ['k', 'old', 'x'], added=[('x', 'BIGINT'), ('y', 'BOOLEAN')], absent=['old']) }}", {
        "duckdb": "ALTER TABLE d.t ADD COLUMN IF NOT EXISTS y BOOLEAN;\n" + APPENDED,
        "postgres": "ALTER TABLE d.t ADD COLUMN IF NOT EXISTS y BOOLEAN;\n" + APPENDED,
        "redshift": "ALTER TABLE d.t ADD COLUMN y BOOLEAN;\n" + APPENDED,
    }),
]

UPSERT = [
    ("{{ upsert('d.t', 's.t', [], 'k IN (SELECT k FROM s.t)') }}", same("CREATE TABLE d.t AS SELECT * FROM s.t")),
    ("{{ upsert('d.t', 's.t', ['k', 'v'], 'k IN (SELECT k FROM s.t)') }}", same(
        'DELETE FROM d.t WHERE k IN (SELECT k FROM s.t);\nINSERT INTO d.t ("k", "v")\nSELECT "k", "v" FROM s.t')),
]

QUOTE = [("{{ quote('timestamp') }}", same('"timestamp"'))]

REPLACE_TABLE = [
    ("{% call replace_table('s.t', dist_key='k') %}SELECT 1 AS k{% endcall %}", {
        "duckdb": "DROP TABLE IF EXISTS s.t;\nCREATE TABLE s.t AS SELECT 1 AS k",
        "postgres": "DROP TABLE IF EXISTS s.t;\nCREATE TABLE s.t AS SELECT 1 AS k",
        "redshift": "DROP TABLE IF EXISTS s.t;\nCREATE TABLE s.t DISTSTYLE KEY DISTKEY (k) AS SELECT 1 AS k",
    }),
]

REPLACE_VIEW = [("{% call replace_view('d.v') %}SELECT 1 AS k{% endcall %}",
                 same("CREATE OR REPLACE VIEW d.v AS\nSELECT 1 AS k"))]

INSERT_BY_NAME = [("{{ insert_by_name('d.t', ['k', 'timestamp'], 's.t') }}",
                   same('INSERT INTO d.t ("k", "timestamp")\nSELECT "k", "timestamp" FROM s.t'))]

DELETE_INSERT = [("{{ delete_insert('d.t', ['k', 'v'], 's.t AS n', 'k IN (SELECT k FROM s.t)') }}", same(
    'DELETE FROM d.t WHERE k IN (SELECT k FROM s.t);\nINSERT INTO d.t ("k", "v")\nSELECT "k", "v" FROM s.t AS n'))]

SAME_KEYS = [
    ("{{ same_keys('d.t', 's.k', ['a', 'b']) }}", {
        "duckdb": "(t.a, t.b)\nIN (SELECT k.a, k.b FROM s.k AS k)",
        "postgres": "(t.a, t.b)\nIN (SELECT k.a, k.b FROM s.k AS k)",
        "redshift": "EXISTS (SELECT 1 FROM s.k AS k WHERE k.a = t.a AND k.b = t.b )"}),
    ("{{ same_keys('d.t', 's.p', ['v', 'ts'], ['k.visitor', 'CAST(k.day AS TIMESTAMP)']) }}", {
        "duckdb": "(t.v, t.ts)\nIN (SELECT k.visitor, CAST(k.day AS TIMESTAMP) FROM s.p AS k)",
        "postgres": "(t.v, t.ts)\nIN (SELECT k.visitor, CAST(k.day AS TIMESTAMP) FROM s.p AS k)",
        "redshift": "EXISTS (SELECT 1 FROM s.p AS k WHERE k.visitor = t.v AND CAST(k.day AS TIMESTAMP) = t.ts )"}),
]

FIRST_PER = [("{{ first_per('s.t', 'k', 'ts DESC, id') }}", same(
    "(SELECT * FROM (SELECT ranked.*, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC, id) AS first_rank\n"
    "                FROM s.t AS ranked) AS first_rows WHERE first_rank = 1)")),
             ("{{ first_per('(SELECT * FROM s.t)', 'k', 'ts', count_as='copies') }}", same(
    "(SELECT * FROM (SELECT ranked.*, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) AS first_rank,\n"
    "                       COUNT(*) OVER (PARTITION BY k) AS copies\n"
    "                FROM (SELECT * FROM s.t) AS ranked) AS first_rows WHERE first_rank = 1)"))]

INTERMEDIATE = [("{{ intermediate('s.w', 'SELECT 1 AS k') }}", {
    "duckdb": "/* s.w: read where it is used (see intermediate_from) */",
    **dict.fromkeys(("postgres", "redshift"), "DROP TABLE IF EXISTS s.w;\nCREATE TABLE s.w AS SELECT 1 AS k"),
})]

INTERMEDIATE_FROM = [("SELECT w.k FROM {{ intermediate_from('s.w', 'SELECT 1 AS k') }} AS w", {
    "duckdb": "SELECT w.k FROM (SELECT 1 AS k\n) AS w",
    **dict.fromkeys(("postgres", "redshift"), "SELECT w.k FROM s.w AS w"),
})]

UNPIVOT = [("{{ unpivot('s.t AS w', ['w.k'], ['name', 'v'], [[\"'a'\", 'w.a'], [\"'b'\", 'w.b']]) }}", {
    "duckdb": "SELECT w.k,\n       UNNEST(['a', 'b']) AS name,\n       UNNEST([w.a, w.b]) AS v\nFROM s.t AS w",
    **dict.fromkeys(("postgres", "redshift"), "\nSELECT w.k, 'a' AS name, w.a AS v FROM s.t AS w\n"
                                              "UNION ALL SELECT w.k, 'b' AS name, w.b AS v FROM s.t AS w"),
})]

STRING_LITERALS = [
    ("{{ string_literals(['site', \"o'shop\"]) }}", same("'site', 'o''shop'")),
    ("{{ string_literals('site, shop') }}", same("'site', 'shop'")),
]

CREATE_INDEX = [
    ("{{ create_index('i', 's.t', 'a, b') }}", {
        "duckdb": "/* i: no index needed on s.t here */",
        "postgres": "CREATE INDEX IF NOT EXISTS i ON s.t (a, b)",
        "redshift": "/* i: no index needed on s.t here */",
    }),
]

JSON_ARRAY_LENGTH = [
    ("{{ json_array_length('o.products') }}", {
        "duckdb": "JSON_ARRAY_LENGTH(o.products)",
        "postgres": "JSON_ARRAY_LENGTH(CAST(o.products AS JSON))",
        "redshift": "JSON_ARRAY_LENGTH(o.products)",
    }),
]

JSON_ARRAY_ELEMENT_TEXT = [
    ("{{ json_array_element_text('o.products', 'series.n') }}", {
        "duckdb": "CAST(JSON_EXTRACT(o.products, CAST(series.n AS INTEGER)) AS VARCHAR)",
        "postgres": "(CAST(o.products AS JSON) ->> CAST(series.n AS INTEGER))",
        "redshift": "JSON_EXTRACT_ARRAY_ELEMENT_TEXT(o.products, CAST(series.n AS INTEGER))",
    }),
]

JSON_QUOTE = [
    # Redshift reads a backslash in a literal as an escape: each one is written twice there
    ("{{ json_quote('v') }}", {
        "duckdb": r"""('"' || REPLACE(REPLACE(v, '\', '\\'), '"', '\"') || '"')""",
        "postgres": r"""('"' || REPLACE(REPLACE(v, '\', '\\'), '"', '\"') || '"')""",
        "redshift": r"""('"' || REPLACE(REPLACE(v, '\\', '\\\\'), '"', '\\"') || '"')""",
    }),
]

BINARY_TEXT = [
    ("{{ binary_text('v') }}", {"duckdb": "v", "postgres": '(v COLLATE "C")', "redshift": "v"}),
]

SEEDED = ('CREATE TABLE d.m (\n  "host" VARCHAR,\n  "medium" VARCHAR\n){};\n'
          'INSERT INTO d.m ("host", "medium") VALUES\n  (\'o\'\'x.com\', \'search\'),\n  (\'y.com\', NULL)')
SEED_TABLE = [
    # made with its rows (an empty value is NULL) only when it does not exist
    ("{{ seed_table('d.m', [], [('host', 'VARCHAR'), ('medium', 'VARCHAR')], "
     "[{'host': \"o'x.com\", 'medium': 'search'}, {'host': 'y.com', 'medium': ''}], "
     "dist_key='all', sort_keys='host') }}",
     {"duckdb": SEEDED.format(""), "postgres": SEEDED.format(""),
      "redshift": SEEDED.format(" DISTSTYLE ALL COMPOUND SORTKEY (host)")}),
    ("{{ seed_table('d.m', ['host'], [('host', 'VARCHAR')], []) }}", same("SELECT 1 AS seeded_before")),
]

TABLES = {
    "column_type": COLUMN_TYPE,
    "create_index": CREATE_INDEX,
    "create_table_as": CREATE_TABLE_AS,
    "add_column": ADD_COLUMN,
    "append": APPEND,
    "upsert": UPSERT,
    "quote": QUOTE,
    "replace_table": REPLACE_TABLE,
    "replace_view": REPLACE_VIEW,
    "insert_by_name": INSERT_BY_NAME,
    "delete_insert": DELETE_INSERT,
    "same_keys": SAME_KEYS,
    "first_per": FIRST_PER,
    "unpivot": UNPIVOT,
    "intermediate": INTERMEDIATE,
    "intermediate_from": INTERMEDIATE_FROM,
    "string_literals": STRING_LITERALS,
    "dateadd": DATEADD,
    "date_trunc": DATE_TRUNC,
    "datediff": DATEDIFF,
    "epoch_seconds": EPOCH_SECONDS,
    "timestamp_from_epoch": TIMESTAMP_FROM_EPOCH,
    "seconds_between": SECONDS_BETWEEN,
    "current_ts": CURRENT_TS,
    "to_date": TO_DATE,
    "local_date": LOCAL_DATE,
    "string_agg": STRING_AGG,
    "string_type": STRING_TYPE,
    "regex_match": REGEX_MATCH,
    "regex_replace": REGEX_REPLACE,
    "safe_cast_int": SAFE_CAST_INT,
    "json_extract_text": JSON_EXTRACT_TEXT,
    "hash_md5": HASH_MD5,
    "table_options": TABLE_OPTIONS,
    "series": SERIES,
    "json_array_length": JSON_ARRAY_LENGTH,
    "json_array_element_text": JSON_ARRAY_ELEMENT_TEXT,
    "json_quote": JSON_QUOTE,
    "binary_text": BINARY_TEXT,
    "seed_table": SEED_TABLE,
}


def macro_names() -> set[str]:
    """Every macro the built-in files define, by its `default__` version."""
    text = "\n".join(path.read_text() for path in resources.macros().glob("*.sql"))
    return set(re.findall(r"\{%-?\s*macro\s+default__(\w+)\s*\(", text))


def test_every_macro_has_a_table_and_a_statement():
    assert macro_names() == set(TABLES) == set(STATEMENTS)


def test_every_dialect_version_has_a_default():
    text = "\n".join(path.read_text() for path in resources.macros().glob("*.sql"))
    overridden = set(re.findall(r"\{%-?\s*macro\s+(?:duckdb|postgres|redshift)__(\w+)\s*\(", text))
    assert overridden <= macro_names()


@pytest.mark.parametrize(
    ("template", "expected"),
    [pytest.param(t, e, id=f"{name}-{i}") for name, table in TABLES.items() for i, (t, e) in enumerate(table)],
)
def test_rendered_sql(template, expected):
    validate_all(template, expected)


def test_datediff_part_unknown_to_postgres_is_a_template_error():
    with pytest.raises(TemplateError, match="test.sql"):
        render("{{ datediff('fortnight', 'a', 'b') }}", "postgres")


# Each macro inside a statement of the kind the web model writes.
BOT_PATTERN = (
    "'(bot|crawl|slurp|spider|archiv|spinn|sniff|seo|audit|survey|pingdom|worm|capture|(browser|screen)shots"
    "|analyz|index|thumb|check|facebook|PingdomBot|PhantomJS|YandexBot|Twitterbot|a_archiver"
    "|facebookexternalhit|Bingbot|BingPreview|Googlebot|Baiduspider|360(Spider|User-agent)|semalt)'"
)

STATEMENTS = {
    "create_index": """
        {{ create_index('events_load_tstamp', 'atomic.events', 'load_tstamp') }}""",
    "column_type": """
        CREATE TABLE atomic.t (event_id {{ column_type('string') }}, n {{ column_type('integer') }},
                               ts {{ column_type('timestamp') }}, ok {{ column_type('boolean') }})""",
    "create_table_as": """
        {{ create_table_as('derived.page_views', 'SELECT * FROM scratch.page_views_this_run',
                           dist_key='page_view_id', sort_keys='start_tstamp') }}""",
    "add_column": """
        {{ add_column('derived.page_views', 'spider_or_robot', column_type('boolean')) }}""",
    "append": """
        {{ append('scratch.page_views_staged', 'scratch.page_views_this_run', ['batch_id', 'page_view_id'],
                  dist_key='domain_sessionid', sort_keys='start_tstamp') }}""",
    "upsert": """
        {{ upsert('derived.sessions', 'scratch.sessions_this_run', ['domain_sessionid', 'start_tstamp'],
                  'domain_sessionid IN (SELECT domain_sessionid FROM scratch.sessions_page_views)') }}""",
    "quote": """
        SELECT {{ quote('timestamp') }}, {{ quote('event') }} FROM rudder.tracks""",
    "replace_table": """
        {% call replace_table('scratch.users_to_update', dist_key='domain_userid') %}
        SELECT domain_userid, MIN(start_tstamp) AS start_tstamp FROM derived.sessions GROUP BY 1
        {% endcall %}""",
    "replace_view": """
        {% call replace_view('derived.dbt_session_duration') %}
        SELECT session_id, ended_at FROM derived.dbt_session_track_facts
        {% endcall %}""",
    "insert_by_name": """
        {{ insert_by_name('derived.dbt_track_facts', ['event_id', 'timestamp'], 'scratch.facts_this_run') }}""",
    "delete_insert": """
        {{ delete_insert('derived.sessions', ['domain_sessionid', 'start_tstamp'], 'scratch.sessions_this_run',
                         'domain_sessionid IN (SELECT domain_sessionid FROM scratch.sessions_this_run)') }}""",
    "same_keys": """
        DELETE FROM derived.web_page_views
        WHERE {{ same_keys('derived.web_page_views', 'scratch.web_attr_pages_in', ['page_view_id']) }}""",
    "first_per": """
        SELECT k.event_id FROM {{ first_per('scratch.rs_base_changed', 'source_table, event_id',
                                            'received_key, loaded_tstamp', count_as='copies') }} AS k""",
    "intermediate": """
        {{ intermediate('scratch.rs_base_window',
                        'SELECT source_table, event_id FROM derived.rs_event_id_manifest') }}""",
    "intermediate_from": """
        SELECT w.event_id
        FROM {{ intermediate_from('scratch.rs_base_window',
                                  'SELECT source_table, event_id FROM derived.rs_event_id_manifest') }} AS w""",
    "string_literals": """
        SELECT event_id FROM atomic.events WHERE app_id IN ({{ string_literals(['site', "o'shop"]) }})""",
    "dateadd": """
        SELECT e.event_id
        FROM atomic.events AS e
        CROSS JOIN scratch.base_new_events_limits AS l
        WHERE e.collector_tstamp >= {{ dateadd('hour', -6, 'l.lower_limit') }}
          AND e.collector_tstamp <= {{ dateadd('day', 7, 'l.lower_limit') }}
          AND e.dvce_sent_tstamp <= {{ dateadd('day', 3, 'e.dvce_created_tstamp') }}""",
    "date_trunc": """
        SELECT {{ date_trunc('day', 's.start_tstamp') }} AS session_day, COUNT(*) AS sessions
        FROM derived.sessions AS s
        GROUP BY 1""",
    "datediff": """
        SELECT domain_sessionid,
               {{ datediff('day', 'MIN(collector_tstamp)', 'MAX(collector_tstamp)') }} AS days_spanned,
               {{ datediff('week', 'MIN(collector_tstamp)', 'MAX(collector_tstamp)') }} AS weeks_spanned
        FROM scratch.events_staged
        GROUP BY domain_sessionid
        HAVING {{ datediff('second', 'MIN(dvce_created_tstamp)', 'MAX(dvce_sent_tstamp)') }} < 259200""",
    "epoch_seconds": """
        SELECT ev.page_view_id,
               COUNT(DISTINCT FLOOR({{ epoch_seconds('ev.derived_tstamp') }} / 10)) - 1 AS pings
        FROM scratch.events_staged AS ev
        WHERE ev.event_name = 'page_ping'
        GROUP BY ev.page_view_id""",
    "timestamp_from_epoch": """
        INSERT INTO atomic.events (event_id, collector_tstamp)
        SELECT event_id, {{ timestamp_from_epoch('collector_epoch_ms / 1000.0') }}
        FROM scratch.raw_events""",
    "seconds_between": """
        SELECT page_view_id,
               {{ seconds_between('MIN(derived_tstamp)', 'MAX(derived_tstamp)') }} AS absolute_time_in_s
        FROM scratch.events_staged
        GROUP BY page_view_id""",
    "current_ts": """
        INSERT INTO derived.datamodel_metadata (run_id, model_version, run_end_tstamp)
        SELECT run_id, 'web-1.0.0', {{ current_ts() }}
        FROM scratch.base_run_metadata""",
    "to_date": """
        SELECT {{ to_date('collector_tstamp') }} AS day, COUNT(DISTINCT domain_userid) AS users
        FROM atomic.events
        GROUP BY 1""",
    "string_agg": """
        SELECT domain_sessionid,
               {{ string_agg('page_urlpath', "' > '", 'page_view_in_session_index') }} AS path
        FROM derived.page_views
        GROUP BY domain_sessionid""",
    "string_type": """
        CREATE TABLE IF NOT EXISTS derived.page_views (
          page_view_id CHAR(36) NOT NULL,
          page_url {{ string_type() }},
          useragent {{ string_type() }}
        )""",
    "local_date": """
        SELECT {{ local_date('collector_tstamp', 'America/New_York') }} AS day, COUNT(*) AS events
        FROM atomic.events
        GROUP BY 1""",
    "regex_replace": """
        SELECT {{ regex_replace('LOWER(refr_urlhost)', "'^www[.]'", "''") }} AS referrer_host
        FROM atomic.events""",
    "regex_match": """
        SELECT ev.page_view_id
        FROM scratch.events_staged AS ev
        WHERE ev.event_name = 'page_view'
          AND NOT {{ regex_match('ev.useragent', bot_pattern) }}""".replace("bot_pattern", f'"{BOT_PATTERN}"'),
    "safe_cast_int": """
        SELECT event_id, {{ safe_cast_int('se_value_text') }} AS se_value
        FROM scratch.csv_events""",
    "json_extract_text": """
        SELECT event_id, {{ json_extract_text('contexts_web_page', 'id') }} AS page_view_id
        FROM scratch.csv_events
        WHERE {{ json_extract_text('contexts_web_page', 'id') }} IS NOT NULL""",
    "hash_md5": """
        SELECT {{ hash_md5("domain_userid || '-' || CAST(domain_sessionidx AS VARCHAR)") }} AS session_key
        FROM derived.sessions""",
    "table_options": """
        CREATE TABLE scratch.events_this_run{{ table_options('domain_sessionid', ['collector_tstamp']) }} AS
        SELECT * FROM scratch.events_staged""",
    "series": """
        SELECT s.domain_sessionid, series.n AS page_view_in_session_index
        FROM derived.sessions AS s
        CROSS JOIN {{ series('n', 1, 50) }}
        WHERE series.n <= s.page_views""",
    "json_array_length": """
        SELECT o.event_id, {{ json_array_length('o.products') }} AS lines
        FROM scratch.rs_orders_staged AS o""",
    "json_array_element_text": """
        SELECT o.event_id, {{ json_array_element_text('o.products', 'series.n') }} AS line
        FROM scratch.rs_orders_staged AS o
        CROSS JOIN {{ series('n', 0, 9) }}
        WHERE series.n < {{ json_array_length('o.products') }}""",
    "json_quote": """
        SELECT '[' || {{ string_agg(json_quote('r.sku'), "','", 'r.sku') }} || ']' AS skus
        FROM derived.rs_features_rows AS r""",
    "unpivot": """
        SELECT u.dbt_visitor_id, u.feature_name, u.feature_value_numeric
        FROM ({{ unpivot('derived.rs_user_features AS w', ['w.dbt_visitor_id'],
                         ['feature_name', 'feature_value_numeric'],
                         [["'total_carts'", 'w.total_carts'], ["'total_amt_spent'", 'w.total_amt_spent']]) }}) AS u""",
    "binary_text": """
        SELECT r.sku FROM derived.rs_features_rows AS r ORDER BY {{ binary_text('r.sku') }}""",
    "seed_table": """
        {{ seed_table('derived.referrer_mapping', [], [('host', 'VARCHAR(256)'), ('medium', 'VARCHAR(64)')],
                      [{'host': 'google.com', 'medium': 'search'}, {'host': "o'x.com", 'medium': ''}],
                      dist_key='all', sort_keys='host') }}""",
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_statement_parses(name, dialect):
    sql = render(STATEMENTS[name], dialect)
    trees = sqlglot.parse(sql, read=dialect)   # the write macros render several statements
    # sqlglot falls back to an opaque Command for syntax it does not know: that is no parse.
    assert trees and not any(isinstance(tree, exp.Command) for tree in trees), sql
