"""Targets without a connection: their settings, and `:name` parameters in each driver's style."""

from __future__ import annotations

from pathlib import Path

import pytest

from sluice.errors import ConfigError
from sluice.targets import make_target
from sluice.targets.base import statement_spans

STATEMENT = "UPDATE t SET n = :n, at = x::timestamp WHERE name = :name AND pct LIKE '10%' AND n > :n"


@pytest.mark.parametrize(("settings", "sql", "params"), [
    ({"type": "duckdb"}, "UPDATE t SET n = $n, at = x::timestamp WHERE name = $name AND pct LIKE '10%' AND n > $n",
     {"n": 1, "name": "a"}),
    ({"type": "postgres"}, "UPDATE t SET n = %(n)s, at = x::timestamp WHERE name = %(name)s AND pct LIKE '10%%' "
     "AND n > %(n)s", {"n": 1, "name": "a", "unused": 0}),
    ({"type": "redshift", "host": "h"}, "UPDATE t SET n = %s, at = x::timestamp WHERE name = %s AND pct LIKE '10%%' "
     "AND n > %s", [1, "a", 1]),
])
def test_parameters_in_each_drivers_style(settings, sql, params):
    target = make_target("t", settings, Path("."))
    assert target.bind(STATEMENT, {"n": 1, "name": "a", "unused": 0}) == (sql, params)


def test_settings_are_typed_and_relative_paths_anchor_to_the_project(tmp_path):
    target = make_target("local", {"type": "duckdb", "path": "db/x.duckdb", "lock_timeout": "2.5"}, tmp_path)
    assert target.path == tmp_path / "db/x.duckdb" and target.lock_timeout == 2.5
    with pytest.raises(ConfigError, match=r"^sluice.yml: targets.local: lock_timeout: expected a valid number"):
        make_target("local", {"type": "duckdb", "lock_timeout": "soon"}, tmp_path, "sluice.yml")
    with pytest.raises(ConfigError, match=r"targets.pg: sslmde: unknown key \(known: .*sslmode"):
        make_target("pg", {"type": "postgres", "sslmde": "require"}, tmp_path, "sluice.yml")
    with pytest.raises(ConfigError, match="no type"):
        make_target("x", {"path": "a"}, tmp_path, "sluice.yml")


SCRIPT = """-- a heading comment
CREATE TABLE t (s VARCHAR);
INSERT INTO t VALUES ('a;b'), ('-- not a comment');
/* a comment alone; with a semicolon */ ;
;
SELECT COUNT(*) FROM t -- trailing
"""


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "redshift"])
def test_a_script_splits_on_the_semicolons_that_end_statements(dialect):
    spans = statement_spans(SCRIPT, dialect)
    assert [text for _, text in spans] == [
        "-- a heading comment\nCREATE TABLE t (s VARCHAR)",
        "INSERT INTO t VALUES ('a;b'), ('-- not a comment')",
        "SELECT COUNT(*) FROM t -- trailing",
    ]
    # each offset is where its statement starts in the script (a failing one's line comes from it)
    assert [SCRIPT[offset:offset + 6] for offset, _ in spans] == ["-- a h", "INSERT", "SELECT"]


def test_a_script_of_comments_alone_has_no_statement():
    assert statement_spans("-- nothing\n/* to run; here */\n", "duckdb") == ()
