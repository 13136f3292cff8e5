"""`sluice playbook` through the real command line, on DuckDB and on PostgreSQL."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from psycopg.conninfo import conninfo_to_dict

from sluice import __version__
from sluice.cli import cli

SEQUENCE = "insert into log select coalesce(max(n), 0) + 1, '{{ label }}' from log;"
ORDERED = {
    "create": {"table": "create table log (n integer, v varchar);"},
    "first": {"q": SEQUENCE},
    "second": {"q": SEQUENCE.replace("{{ label }}", "{{ label }}-2")},
}


def write_playbook(project, steps: dict[str, dict[str, str]], variables: dict | None = None,
                   name: str = "pb.yml") -> str:
    """{step: {query: sql}}, in order -> a native playbook, its SQL files beside it in q/."""
    book: dict = {"variables": variables or {}, "steps": []}
    for step, queries in steps.items():
        entries = []
        for query, sql in queries.items():
            entries.append({"name": query, "file": f"q/{name[:-4]}-{step}-{query}.sql"})
            project.write(entries[-1]["file"], sql)
        book["steps"].append({"name": step, "queries": entries})
    project.write(name, yaml.safe_dump(book, sort_keys=False))
    return name


def table_exists(project, name: str) -> bool:
    return bool(project.query(f"select count(*) from information_schema.tables where table_name = '{name}'")[0][0])


def assert_one_line_error(result, status: int, *needles: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == status, result.stderr + result.stdout
    assert len(lines) == 1 and lines[0].startswith("sluice: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


# -- running ------------------------------------------------------------------------------

def test_steps_run_in_order_with_variable_precedence(project):
    project.write_config(vars={"label": "yml", "shadowed": "yml"})
    write_playbook(project, {**ORDERED, "third": {"q": SEQUENCE.replace("{{ label }}", "{{ shadowed }}")}},
                   {"label": "pb", "shadowed": "pb"})
    result = project.sluice("playbook", "pb.yml", "--var", "shadowed=cli")
    assert result.returncode == 0, result.stderr
    assert project.query("select n, v from log order by n") == [(1, "yml"), (2, "yml-2"), (3, "cli")]
    assert result.stdout.index("step first") < result.stdout.index("step second") < result.stdout.index("step third")


def test_from_step_and_run_query(project):
    write_playbook(project, ORDERED, {"label": "x"})
    assert project.sluice("playbook", "pb.yml").returncode == 0
    assert project.sluice("playbook", "pb.yml", "--from-step", "second").returncode == 0
    assert project.sluice("playbook", "pb.yml", "--run-query", "first::q", "--var", "label=y").returncode == 0
    assert project.query("select n, v from log order by n") == [(1, "x"), (2, "x-2"), (3, "x-2"), (4, "y")]
    assert_one_line_error(project.sluice("playbook", "pb.yml", "--run-query", "first"), 1, "STEP::QUERY")
    assert_one_line_error(project.sluice("playbook", "pb.yml", "--run-query", "first::nope"), 1, "'nope'")


def test_dry_run_touches_no_table(project):
    write_playbook(project, ORDERED, {"label": "x"})
    result = project.sluice("playbook", "pb.yml", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "second::q renders and parses" in result.stdout
    assert not table_exists(project, "log")


@pytest.mark.parametrize(("sql", "needle"), [
    ("selec 1 frm", "does not parse"),
    ("select {{ nowhere }};", "variable 'nowhere' is not defined"),
    ("select 1 from {{ events_table }};", "'events_table' = 'x; drop table y' is not a valid identifier"),
])
def test_dry_run_fails_with_5(project, sql, needle):
    variables = {"label": "x", "events_table": "x; drop table y" if "events_table" in sql else "ok"}
    write_playbook(project, {**ORDERED, "bad": {"q": sql}}, variables)
    assert_one_line_error(project.sluice("playbook", "pb.yml", "--dry-run"), 5, "dry run", needle)
    assert not table_exists(project, "log")


def test_fill_templates_prints_sql_and_runs_nothing(project):
    write_playbook(project, ORDERED, {"label": "x"})
    result = project.sluice("playbook", "pb.yml", "--fill-templates", "--var", "label=filled")
    assert result.returncode == 0, result.stderr
    assert "create table log (n integer, v varchar);" in result.stdout
    assert "coalesce(max(n), 0) + 1, 'filled-2' from log;" in result.stdout
    assert not table_exists(project, "log")


def test_show_query_output(project):
    write_playbook(project, {"ask": {"answer": "create table t (x integer);\nselect 41 + 1 as answer, 'yes' as said;"}})
    quiet = project.sluice("playbook", "pb.yml")
    assert quiet.returncode == 0 and "said" not in quiet.stdout
    project.query("drop table t")
    shown = project.sluice("playbook", "pb.yml", "--show-query-output")
    assert shown.returncode == 0, shown.stderr
    assert "answer\tsaid\n42\tyes\n" in shown.stdout


def test_show_query_output_keeps_each_result_together(project):
    many = "select x, '{q}' as q from generate_series(1, 3000) as t(x) order by x;"
    write_playbook(project, {"s": {"a": many.format(q="a"), "b": many.format(q="b")}})
    result = project.sluice("playbook", "pb.yml", "--show-query-output")
    lines = result.stdout.splitlines()
    for q in "ab":
        start = lines.index(f"s::{q}")
        assert lines[start + 1 : start + 3002] == ["x\tq", *(f"{i}\t{q}" for i in range(1, 3001))]


# -- failures -----------------------------------------------------------------------------

def sleep_sql(project, seconds: float) -> str:
    """Something slow enough that a sibling's failure comes first."""
    if project.kind == "postgres":
        return f"select pg_sleep({seconds});"
    return "select count(*) from range(20000000) a;"


def test_failing_query_lets_sibling_commit_and_stops(project):
    write_playbook(project, {
        "setup": {"t": "create table done (what varchar);"},
        "work": {"good": sleep_sql(project, 0.5) + "\ninsert into done values ('sibling');",
                 "bad": "insert into no_such_table values (1);"},
        "later": {"q": "insert into done values ('later');"},
    })
    result = project.sluice("playbook", "pb.yml")
    assert_one_line_error(result, 6, "step 'work'", "query 'bad'", "no_such_table")
    assert project.query("select what from done") == [("sibling",)]
    assert "step later" not in result.stdout


def test_a_query_file_is_one_transaction(project):
    write_playbook(project, {"s": {"half": "create table half (x integer);\ninsert into half values (1);\n"
                                           "insert into no_such_table values (1);"}})
    assert_one_line_error(project.sluice("playbook", "pb.yml"), 6, "step 's'", "query 'half'")
    assert not table_exists(project, "half")


def test_queries_of_a_step_overlap_on_postgres(postgres_project):
    timed = ("insert into timing values ('{q}', 'start', clock_timestamp());\nselect pg_sleep(1);\n"
             "insert into timing values ('{q}', 'end', clock_timestamp());")
    write_playbook(postgres_project, {
        "setup": {"t": "create table timing (q text, mark text, at timestamptz);"},
        "sleep": {"a": timed.format(q="a"), "b": timed.format(q="b")},
    })
    result = postgres_project.sluice("playbook", "pb.yml")
    assert result.returncode == 0, result.stderr
    rows = postgres_project.query("select q, mark, extract(epoch from at)::float8 from timing")
    at = {(q, mark): t for q, mark, t in rows}
    assert at[("a", "end")] - at[("a", "start")] >= 1 and at[("b", "end")] - at[("b", "start")] >= 1
    assert at[("a", "start")] < at[("b", "end")] and at[("b", "start")] < at[("a", "end")]


# -- locks --------------------------------------------------------------------------------

FAILING = {"s": {"q": "insert into no_such_table values (1);"}}


def test_hard_lock_survives_a_failed_run(project):
    write_playbook(project, FAILING, name="bad.yml")
    write_playbook(project, {"s": {"q": "create table ok (x integer);"}})
    assert project.sluice("playbook", "bad.yml", "--lock", "locks/run.lock").returncode == 6
    holder = json.loads((project.root / "locks/run.lock").read_text())
    held = project.sluice("playbook", "pb.yml", "--lock", "locks/run.lock")
    assert_one_line_error(held, 3, "locks/run.lock", f"pid {holder['pid']}", socket.gethostname())
    assert not table_exists(project, "ok")
    assert_one_line_error(project.sluice("playbook", "--check-lock", "locks/run.lock"), 3, "is held")
    deleted = project.sluice("playbook", "--delete-lock", "locks/run.lock")
    assert deleted.returncode == 0 and "deleted lock" in deleted.stdout
    assert not (project.root / "locks/run.lock").exists()
    assert project.sluice("playbook", "--check-lock", "locks/run.lock").returncode == 0
    assert_one_line_error(project.sluice("playbook", "--delete-lock", "locks/run.lock"), 1, "does not exist")
    assert project.sluice("playbook", "pb.yml", "--lock", "locks/run.lock").returncode == 0
    assert table_exists(project, "ok") and not (project.root / "locks/run.lock").exists()


def test_soft_lock_is_removed_after_a_failed_run(project):
    write_playbook(project, FAILING)
    assert project.sluice("playbook", "pb.yml", "--soft-lock", "run.lock").returncode == 6
    assert not (project.root / "run.lock").exists()
    (project.root / "run.lock").write_text("{}")
    assert_one_line_error(project.sluice("playbook", "pb.yml", "--soft-lock", "run.lock"), 3, "is held")
    project.write("q/pb-s-q.sql", "selec 1 frm")
    assert project.sluice("playbook", "pb.yml", "--soft-lock", "run.lock", "--dry-run").returncode == 5
    assert (project.root / "run.lock").exists()  # somebody else's lock is left alone
    both = project.sluice("playbook", "pb.yml", "--soft-lock", "run.lock", "--lock", "other.lock")
    assert_one_line_error(both, 1, "exclusive")
    assert (project.root / "run.lock").exists()


# -- bad input ----------------------------------------------------------------------------

BAD_INPUT = {
    "not yaml": (["playbook", "pb.yml"], 7, ["pb.yml:3", "not valid YAML"]),
    "no queries": (["playbook", "empty.yml"], 7, ["step 'nothing' has no queries"]),
    "missing file": (["playbook", "missing.yml"], 7, ["gone.sql", "does not exist"]),
    "unknown variable": (["playbook", "ok.yml"], 7, ["ok-ok-q.sql:2", "variable 'mystery' is not defined"]),
    "var without =": (["playbook", "ok.yml", "--var", "mystery"], 1, ["--var 'mystery'"]),
    "bad identifier": (["playbook", "ok.yml", "--var", "mystery=1", "--var", "output_schema=x; drop table y"],
                       7, ["variable 'output_schema'", "not a valid identifier"]),
    "unknown target": (["playbook", "ok.yml", "--target", "nope"], 1, ["unknown target 'nope'"]),
    "unknown target type": (["playbook", "ok.yml", "--target", "typo"], 1, ["'postgress'", "'postgres'"]),
    "no such step": (["playbook", "ok.yml", "--var", "mystery=1", "--from-step", "nope"], 1, ["no step 'nope'"]),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_one_line(duckdb_project, case):
    # Each is caught before a statement is sent, so one warehouse shows it; the errors that
    # come from a warehouse are tested on both above.
    project = duckdb_project
    args, status, needles = BAD_INPUT[case]
    project.write_config(targets={"test": project.target_settings, "typo": {"type": "postgress"}})
    project.write("pb.yml", "steps:\n  - name: s\n\tqueries: []\n")
    project.write("empty.yml", "steps:\n  - name: nothing\n    queries: []\n")
    project.write("missing.yml", "steps:\n  - name: s\n    queries: [{name: q, file: gone.sql}]\n")
    write_playbook(project, {"ok": {"q": "create table t (x integer);\nselect {{ mystery }};"}},
                   {"output_schema": "fine"}, name="ok.yml")
    assert_one_line_error(project.sluice(*args), status, *needles)
    assert not table_exists(project, "t")


def test_wrong_postgres_password_is_never_printed(postgres_project):
    write_playbook(postgres_project, {"s": {"q": "select 1;"}})
    wrong = "wr0ng-Passw0rd-xyz"
    result = postgres_project.sluice("playbook", "pb.yml", env={"SLUICE_TEST_PG_PASSWORD": wrong})
    assert_one_line_error(result, 1, "target 'test'", "password authentication failed")
    assert wrong not in result.stdout + result.stderr


def test_secret_from_env_is_masked_everywhere(postgres_project, pg_dsn):
    secret = conninfo_to_dict(pg_dsn).get("password")
    if not secret:
        pytest.skip("the test server needs no password, so there is no secret to hide")
    write_playbook(postgres_project, {"s": {"q": "select '{{ note }}' as note;"}},
                   name="show.yml")
    write_playbook(postgres_project, {"s": {"q": 'select "{{ note }}" from pg_class;'}}, name="fail.yml")
    runs = {
        "fill": postgres_project.sluice("playbook", "show.yml", "--fill-templates", "--var", f"note={secret}"),
        "show": postgres_project.sluice("playbook", "show.yml", "--show-query-output", "--var", f"note={secret}"),
        "fail": postgres_project.sluice("playbook", "fail.yml", "--var", f"note={secret}"),
    }
    assert [r.returncode for r in runs.values()] == [0, 0, 6]
    for name, run in runs.items():
        assert secret not in run.stdout + run.stderr, name
        assert "****" in run.stdout + run.stderr, name


# -- DuckDB file held by another process --------------------------------------------------

# A DuckDB file held by another process is "a lock is held" (3), like a module lock, so that
# `sluice tick` skips a module whose file is busy instead of failing.
DUCKDB_LOCKED_STATUS = 3


def test_duckdb_file_locked_by_another_process(duckdb_project, monkeypatch):
    from sluice.targets.duckdb import DuckDBTarget

    opened = []
    real_open = DuckDBTarget._open_database

    def counting_open(self):
        opened.append(self.path)
        return real_open(self)

    monkeypatch.setattr(DuckDBTarget, "_open_database", counting_open)
    settings = {**duckdb_project.target_settings, "lock_timeout": 1.5}
    duckdb_project.write_config(targets={"test": settings})
    write_playbook(duckdb_project, {"s": {"a": "select 1;", "b": "select 2;", "c": "select 3;"}})
    path = duckdb_project.root / settings["path"]
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\nc = duckdb.connect(sys.argv[1])\n"
                               "print('open', flush=True)\ntime.sleep(60)", str(path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = duckdb_project.sluice("playbook", "pb.yml")
    finally:
        holder.kill()
        holder.wait()
    assert_one_line_error(result, DUCKDB_LOCKED_STATUS, str(path), "locked by another process", "1.5s")
    # the three queries of the step waited for the file once between them, not once each
    assert opened == [path]


# -- the command line itself --------------------------------------------------------------

def test_version(duckdb_project):
    result = duckdb_project.sluice("--version")
    assert result.returncode == 0 and __version__ in result.stdout


@pytest.mark.parametrize("command", [[], *([name] for name in sorted(cli.commands))])
def test_help_on_every_command(duckdb_project, command):
    result = duckdb_project.sluice(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: sluice") and not result.stderr


def test_the_hello_example_runs_as_the_readme_shows(project):
    """examples/hello: two parallel queries in one step, dialect macros, query output shown.
    Seven days: pages 1..21 as page-(n mod 3), visits 1..7; joined, page-0 has visits 3 and 6,
    page-1 has 1, 4, 7, page-2 has 2 and 5."""
    hello = Path(__file__).resolve().parents[2] / "examples" / "hello" / "hello.yml"
    result = project.sluice("playbook", str(hello), "--show-query-output")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    shown = lines[lines.index("report::summary"):]
    assert shown[1:5] == ["page\tviews\tvisit_ids", "page-0\t2\t3,6", "page-1\t3\t1,4,7", "page-2\t2\t2,5"]
