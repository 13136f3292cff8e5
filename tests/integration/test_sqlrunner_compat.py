"""SQL Runner playbooks run unchanged: `:targets:`, `:variables:`, `:steps:`, Go templates."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from tests import pg

TARGET = """\
  - :name: {name}
    :type: postgres
    :host: {host}
    :port: {port}
    :database: {dbname}
    :username: {user}
    :password: {{{{systemEnv "PGPW"}}}}
    :ssl: false
"""

PLAYBOOK = """\
:targets:
{targets}:variables:
  :schema: compat
  :mode: full
:steps:
  - :name: 01-setup
    :queries:
      - :name: schema
        :file: sql/01-schema.sql
        :template: true
  - :name: 02-load
    :queries:
      - :name: events
        :file: sql/02-events.sql
        :template: true
      - :name: untemplated
        :file: sql/02-plain.sql
  - :name: 03-derive
    :queries:
      - :name: summary
        :file: sql/03-summary.sql
        :template: true
"""

SQL = {
    "sql/01-schema.sql": """\
{{/* The schema comes from :variables:, so
     renaming it is a one-line change. */}}
CREATE SCHEMA IF NOT EXISTS {{.schema}};
""",
    "sql/02-events.sql": """\
CREATE TABLE {{.schema}}.events AS
SELECT * FROM (VALUES (1, 'page_view'), (2, 'page_view'), (3, 'ping')) AS v(id, kind);
""",
    # no `:template:`: the file runs exactly as written, braces and all
    "sql/02-plain.sql": "CREATE TABLE public.plain AS SELECT '{{.not_rendered}}'::text AS raw;\n",
    "sql/03-summary.sql": """\
CREATE TABLE {{.schema}}.summary_{{nowWithFormat "2006_01_02"}} AS
{{if eq .mode "full"}}
SELECT count(*) AS n, '{{or .label "fallback"}}' AS label FROM {{.schema}}.events WHERE kind = 'page_view';
{{else}}
SELECT 0 AS n, '{{or .label "fallback"}}' AS label;
{{end}}
""",
}


def target(name: str, dsn: str) -> str:
    parts = conninfo_to_dict(dsn)
    return TARGET.format(name=name, host=parts.get("host", "127.0.0.1"), port=parts.get("port", 5432),
                         dbname=parts["dbname"], user=parts.get("user", "postgres"))


def write(project, *dsns: str) -> dict[str, str]:
    """The playbook and its SQL beside it, SQL Runner's layout; returns the env to run it with."""
    names = ["primary", "secondary"]
    project.write("sqlrunner/playbook.yml", PLAYBOOK.format(
        targets="".join(target(names[i], dsn) for i, dsn in enumerate(dsns))))
    for path, text in SQL.items():
        project.write(f"sqlrunner/{path}", text)
    return {"PGPW": conninfo_to_dict(dsns[0]).get("password", "")}


def rows(dsn: str, sql: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql).fetchall()


def summary_table(dsn: str) -> str:
    found = rows(dsn, "select table_name from information_schema.tables "
                      "where table_schema = 'compat' and table_name like 'summary_%'")
    assert len(found) == 1, found
    return found[0][0]


def test_sqlrunner_playbook_end_to_end(postgres_project, pg_dsn):
    env = write(postgres_project, pg_dsn)
    before = date.today().strftime("%Y_%m_%d")
    result = postgres_project.sluice("playbook", "sqlrunner/playbook.yml", env=env)
    after = date.today().strftime("%Y_%m_%d")
    assert result.returncode == 0, result.stderr
    assert "[primary] step 03-derive" in result.stdout
    assert summary_table(pg_dsn) in (f"summary_{before}", f"summary_{after}")
    assert rows(pg_dsn, f"select n, label from compat.{summary_table(pg_dsn)}") == [(2, "fallback")]
    assert rows(pg_dsn, "select raw from public.plain") == [("{{.not_rendered}}",)]


def test_sqlrunner_else_branch_and_vars(postgres_project, pg_dsn):
    env = write(postgres_project, pg_dsn)
    filled = postgres_project.sluice("playbook", "sqlrunner/playbook.yml", "--fill-templates",
                                     "--var", "mode=quick,label=given", env=env)
    assert filled.returncode == 0, filled.stderr
    assert "SELECT 0 AS n, 'given' AS label;" in filled.stdout
    assert "count(*)" not in filled.stdout and "renaming it" not in filled.stdout
    assert rows(pg_dsn, "select count(*) from information_schema.schemata where schema_name = 'compat'") == [(0,)]


def test_sqlrunner_missing_variable_names_it(postgres_project, pg_dsn):
    write(postgres_project, pg_dsn)
    postgres_project.write("sqlrunner/sql/02-events.sql", "SELECT {{.nowhere}};\n")
    result = postgres_project.sluice("playbook", "sqlrunner/playbook.yml", env={"PGPW": "x"})
    assert result.returncode == 7
    assert "02-events.sql:1" in result.stderr and "nowhere" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.fixture
def second_dsn(pg_admin_dsn):
    with pg.fresh_database(pg_admin_dsn) as dsn:
        yield dsn


def test_sqlrunner_playbook_runs_on_every_target(postgres_project, pg_dsn, second_dsn):
    env = write(postgres_project, pg_dsn, second_dsn)
    result = postgres_project.sluice("playbook", "sqlrunner/playbook.yml", env=env)
    assert result.returncode == 0, result.stderr
    for dsn, name in ((pg_dsn, "primary"), (second_dsn, "secondary")):
        assert f"[{name}] step 03-derive" in result.stdout
        assert rows(dsn, f"select n, label from compat.{summary_table(dsn)}") == [(2, "fallback")]
