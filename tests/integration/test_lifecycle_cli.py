"""The lifecycle's commands and its refusals: bad projects, schedules, run ids, cleanup,
concurrent modules, and the lifecycle tables' Redshift SQL."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest
import sqlglot
import yaml

from sluice import resources
from sluice.render.renderer import Renderer
from sluice.targets.base import split_statements
from tests.integration.accounts import BATCHES, Accounts
from tests.integration.test_lifecycle import sluice


@pytest.fixture
def accounts(project) -> Accounts:
    acc = Accounts(project.root, project.target_settings)
    acc.create_source()
    return acc


def edit(acc: Accounts, relative: str, old: str, new: str) -> Path:
    path = acc.root / relative
    path.write_text(path.read_text().replace(old, new))
    return path


TOTALS = "playbooks/custom/account_totals/module.yml"
BAD_PROJECTS = [
    (lambda a: edit(a, TOTALS, "kind: custom", "kind: custom\nowner: me"), ["module.yml", "owner: unknown key"]),
    (lambda a: (a.root / "playbooks/custom/account_totals/99-account_totals-complete.yml").unlink(),
     ["module.yml", "complete playbook", "does not exist"]),
    (lambda a: edit(a, TOTALS, "consumes: [events_staged]", "consumes: [event_staged]"),
     ["account_totals", "event_staged", "no module produces", "events_staged"]),
    (lambda a: edit(a, "playbooks/custom/events_base/module.yml", "sources: [raw_events]",
                    "sources: [raw_events]\nconsumes: [account_totals]"), ["cycle"]),
]


@pytest.mark.parametrize(("damage", "needles"), BAD_PROJECTS)
def test_a_bad_project_is_refused_before_anything_runs(accounts, damage, needles):
    damage(accounts)
    for args in (["run"], ["check"]):
        result = sluice(accounts, *args)
        assert result.returncode != 0
        message = result.stderr.strip() or result.stdout.strip()
        assert all(n in message for n in needles), message
        assert "Traceback" not in result.stderr
    assert accounts.sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'derived'")[0][0] == 0


def test_unknown_module_on_the_command_line(accounts):
    result = sluice(accounts, "run", "acount_totals")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "unknown module 'acount_totals'" in result.stderr


def test_check_and_graph_on_a_sound_project(accounts):
    assert sluice(accounts, "check").returncode == 0
    graph = json.loads(sluice(accounts, "graph", "--format", "json").stdout)
    assert {"from": "events_base:complete", "to": "account_totals:main", "table": "events_staged"} in graph["edges"]
    assert sluice(accounts, "graph", "--format", "mermaid").stdout.startswith("flowchart")


def test_tick_runs_what_is_due_and_records_it(accounts):
    accounts.configure({"events_base": {"schedule": "*/5 * * * *"}, "account_totals": {"schedule": "*/5 * * * *"},
                        "account_days": {"schedule": "0 3 * * *"}})
    accounts.load(BATCHES[0])
    first = sluice(accounts, "tick")
    assert first.returncode == 0, first.stderr
    (ran,) = [line for line in first.stdout.splitlines() if line.startswith("tick: ran ")]
    assert set(ran.removeprefix("tick: ran ").split(", ")) == {"events_base", "account_totals", "account_days"}
    assert accounts.outputs() == accounts.expected()
    second = sluice(accounts, "tick")  # everything ran since the last fire time
    assert "nothing is due" in second.stdout


def test_due_modules_follow_the_cron_expression(accounts):
    from sluice.lifecycle.schedule import due_modules

    accounts.configure({"events_base": {"schedule": "0 * * * *"}})
    with accounts.project.target() as target:
        lc = accounts.lifecycle(target)
        assert due_modules(lc) == ["events_base"]
        lc.run(lc.plan(["events_base"]))
        assert due_modules(lc) == []
        assert due_modules(lc, now=datetime(2999, 1, 1, 0, 30)) == ["events_base"]


def test_one_run_id_per_run_unless_a_module_ends_it(accounts):
    accounts.load(BATCHES[0])
    assert sluice(accounts, "run").returncode == 0
    ids = accounts.sql("SELECT DISTINCT run_id FROM derived.datamodel_metadata")
    assert len(ids) == 1
    accounts.configure({"events_base": {"vars": {"ends_run": True}}})
    accounts.load(BATCHES[1])
    assert sluice(accounts, "run").returncode == 0
    assert len(accounts.sql("SELECT DISTINCT run_id FROM derived.datamodel_metadata")) == 3


@pytest.mark.parametrize(("mode", "kept"), [("all", set()), ("debug", {"events_this_run"}),
                                            ("trace", {"events_this_run", "account_totals_this_run"})])
def test_cleanup_mode_decides_what_complete_drops(accounts, mode, kept):
    accounts.load(BATCHES[0])
    assert sluice(accounts, "run", "events_base", "account_totals", "--var", f"cleanup_mode={mode}").returncode == 0
    tables = {r[0] for r in accounts.sql("SELECT table_name FROM information_schema.tables "
                                         "WHERE table_schema = 'scratch'")}
    assert tables & {"events_this_run", "account_totals_this_run"} == kept


def test_metadata_row_per_module_run(accounts):
    accounts.load(BATCHES[0])
    assert sluice(accounts, "run").returncode == 0
    rows = accounts.sql("SELECT module, outcome, rows_this_run, distinct_key_count, "
                        "CAST(min_time_key AS VARCHAR) FROM derived.datamodel_metadata ORDER BY module")
    assert [r[:2] for r in rows] == [("account_days", "complete"), ("account_totals", "complete"),
                                     ("events_base", "complete")]
    assert rows[2][2:4] == (2, 2) and rows[2][4].startswith("2024-01-01")


def test_different_modules_run_at_the_same_time_on_postgres(postgres_project):
    acc = Accounts(postgres_project.root, postgres_project.target_settings)
    acc.create_source()
    acc.load(BATCHES[0])
    assert sluice(acc, "run").returncode == 0
    acc.sql("INSERT INTO derived.module_locks VALUES ('account_days', 'r-x', 'elsewhere', 1, "
            "CAST('2099-01-01 00:00:00' AS TIMESTAMP))")
    acc.load(BATCHES[1])
    results = {}

    def run(*modules):
        results[modules] = subprocess.run([sys.executable, "-m", "sluice", "run", *modules], cwd=acc.root,
                                          capture_output=True, text=True, timeout=120)

    threads = [threading.Thread(target=run, args=m) for m in (("events_base", "account_totals"), ("account_days",))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[("events_base", "account_totals")].returncode == 0  # not blocked by account_days' lock
    assert results[("account_days",)].returncode == 3


@pytest.mark.parametrize("manifest", sorted(p.name for p in resources.manifests().glob("*.sql")))
@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "redshift"])
def test_lifecycle_tables_render_and_parse_on_every_dialect(manifest, dialect):
    sql = Renderer(dialect).render((resources.manifests() / manifest).read_text(),
                                   {"output_schema": "derived", "entropy": ""}, manifest)
    for statement in split_statements(sql, dialect):
        parsed = sqlglot.parse_one(statement, read=dialect)
        assert not isinstance(parsed, sqlglot.exp.Command), statement
    if dialect == "redshift" and "manifest" in manifest:
        # a manifest of a few rows (base_load_manifest) is copied to every node instead
        assert ("DISTKEY" in sql or "DISTSTYLE ALL" in sql) and "SORTKEY" in sql


def test_upper_case_names_are_folded_the_way_the_warehouse_folds_them(project):
    acc = Accounts(project.root, project.target_settings, entropy="_Copy2")
    acc.create_source()
    config = yaml.safe_load((acc.root / "sluice.yml").read_text())
    config["vars"].update(output_schema="Derived", scratch_schema="Scratch_A")
    (acc.root / "sluice.yml").write_text(yaml.safe_dump(config))
    acc.load(BATCHES[0])
    result = sluice(acc, "run")
    assert result.returncode == 0, result.stderr
    assert acc.sql("SELECT account, events, amount FROM derived.account_totals_copy2 ORDER BY account") == \
        [("a", 1, 1), ("b", 1, 2)]
    # the staged batch was found and counted, not committed empty
    assert acc.sql("SELECT module, rows_staged FROM derived.staged_batches_copy2") == [("events_base", 2)]
    made = acc.sql("SELECT table_schema, table_name FROM information_schema.tables "
                   "WHERE LOWER(table_schema) IN ('derived', 'scratch_a')")
    assert made and all(schema.islower() and name.islower() for schema, name in made), made


def test_postgres_analyses_what_a_run_wrote_before_reading_it(postgres_project):
    acc = Accounts(postgres_project.root, postgres_project.target_settings)
    acc.create_source()
    acc.load(BATCHES[0])
    assert sluice(acc, "run").returncode == 0
    counts = "SELECT schemaname || '.' || relname, analyze_count FROM pg_stat_user_tables"
    analysed = dict(acc.sql(counts))
    # events_base staged its batch; both consumers then read it: one ANALYZE in between
    assert analysed["scratch.events_staged"] == 1
    # filled for the first time (events_base's complete, the consumers') and read by nobody
    # after: analysed once, when the run ends, so that the next run plans with them
    assert analysed["derived.events_base_manifest"] == 1
    assert analysed["derived.account_totals"] == analysed["derived.account_days"] == 1
    acc.load(BATCHES[1])
    assert sluice(acc, "run").returncode == 0
    analysed = dict(acc.sql(counts))
    # the new batch, however small, is analysed before the consumers read it (the staged
    # table is smaller than ANALYZE's sample)
    assert analysed["scratch.events_staged"] == 2
    # two rows more in the outputs, read by nobody: under a tenth plus 50, left to autovacuum
    assert analysed["derived.events_base_manifest"] == analysed["derived.account_totals"] == 1


def test_postgres_never_analyses_a_view(postgres_project):
    # A view holds no rows to sample: ANALYZE of one only warns ("cannot analyze non-tables").
    # A table never analysed is, the first time a statement reads it.
    with postgres_project.target() as target:
        session = target.connect()
        for statement in ("CREATE SCHEMA derived", "CREATE TABLE derived.daily (d INTEGER)",
                          "INSERT INTO derived.daily VALUES (1), (2)",
                          "CREATE VIEW derived.daily_view AS SELECT d FROM derived.daily"):
            session.fetch(statement)  # not through the statistics, which would analyse `daily`
        assert target.planned_rows(session, "derived.daily") < 0  # never analysed
        assert target.planned_rows(session, "derived.daily_view") is None  # not a table
        ran = []
        target.statistics.before("SELECT d FROM derived.daily_view", {}, ran.append,
                                 lambda table: target.planned_rows(session, table))
        assert ran == []
        target.statistics.before("SELECT d FROM derived.daily", {}, ran.append,
                                 lambda table: target.planned_rows(session, table))
        assert ran == ["ANALYZE derived.daily"]
