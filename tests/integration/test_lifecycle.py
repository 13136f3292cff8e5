"""The lifecycle on DuckDB and PostgreSQL: replay, crashes, concurrency, backfill, bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli import Result, invoke, spawn
from tests.integration.accounts import BATCHES, Accounts

KILL_POINTS = [
    *(f"events_base:main:{s}" for s in ("setup", "this-run", "stage", "end")),
    "events_base:complete:manifest", "events_base:complete:end",
    *(f"account_totals:main:{s}" for s in ("setup", "this-run", "upsert", "end")),
    "account_totals:complete:nothing-to-commit", "account_totals:complete:end",
    "account_days:main:upsert", "account_days:complete:end",
]


@pytest.fixture
def accounts(project) -> Accounts:
    acc = Accounts(project.root, project.target_settings)
    acc.create_source()
    return acc


def sluice(acc: Accounts, *args: str) -> Result:
    return invoke(acc.root, *args)


def test_run_converges_batch_after_batch(accounts):
    for batch in BATCHES:
        accounts.load(batch)
        assert sluice(accounts, "run").returncode == 0
    assert accounts.outputs() == accounts.expected()
    assert accounts.sql("SELECT COUNT(*) FROM scratch.events_staged")[0][0] == 0  # every consumer is past


def test_slow_consumer_never_misses_a_batch(accounts):
    for batch in BATCHES:
        accounts.load(batch)
        assert sluice(accounts, "run", "events_base", "account_totals").returncode == 0
    assert accounts.outputs()["account_days"] == []
    assert sluice(accounts, "run", "account_days").returncode == 0
    assert accounts.outputs() == accounts.expected()


def test_complete_replayed_five_times_equals_once(accounts):
    accounts.load(BATCHES[0])
    assert sluice(accounts, "run").returncode == 0
    accounts.load(BATCHES[1])
    for module in ("events_base", "account_totals", "account_days"):
        assert sluice(accounts, "run", module, "--only", "main").returncode == 0
        assert sluice(accounts, "complete", module).returncode == 0
        once = accounts.state()
        for _ in range(4):
            assert sluice(accounts, "complete", module).returncode == 0
        assert accounts.state() == once
    assert accounts.outputs() == accounts.expected()


@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_killed_anywhere_then_rerun_counts_nothing_twice(accounts, kill_at):
    accounts.load(BATCHES[0])
    assert sluice(accounts, "run").returncode == 0
    accounts.load(BATCHES[1])
    killed = spawn(accounts.root, "run", env={"SLUICE_KILL_AT": kill_at})
    assert killed.returncode == -9, killed.stderr
    rerun = sluice(accounts, "run")
    assert rerun.returncode == 0, rerun.stderr
    assert accounts.outputs() == accounts.expected()
    # every kill point lies inside a module's run, which holds the module's lock throughout
    killed_module = kill_at.split(":")[0]
    assert f"module '{killed_module}': taking over a stale lock" in rerun.stdout


def test_two_processes_start_the_same_module_at_once(accounts):
    accounts.load(BATCHES[0])
    accounts.load(BATCHES[1])
    procs = [subprocess.Popen([sys.executable, "-m", "sluice", "run", "events_base", "--wait", "0"],
                              cwd=accounts.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    codes = sorted(p.wait(timeout=120) for p in procs)
    assert codes in ([0, 0], [0, 3]), [p.stderr.read() for p in procs]
    assert sluice(accounts, "run").returncode == 0
    assert accounts.outputs() == accounts.expected()
    staged = accounts.sql("SELECT SUM(rows_staged) FROM derived.staged_batches WHERE module = 'events_base' "
                          "AND state <> 'pending'")[0][0]
    assert staged == 4  # each of the 4 events staged once: the loser exited 3 or found nothing new


def test_a_held_lock_makes_the_next_run_exit_3_naming_the_holder(accounts):
    assert sluice(accounts, "run").returncode == 0
    accounts.sql("INSERT INTO derived.module_locks VALUES ('events_base', 'r-other', 'another-host', 4242, "
                 "CAST('2099-01-01 00:00:00' AS TIMESTAMP))")
    result = sluice(accounts, "run", "events_base", "--wait", "1")
    assert result.returncode == 3
    assert "another-host" in result.stderr and "4242" in result.stderr
    assert result.stderr.count("\n") == 1


def test_backfilled_consumer_equals_one_there_from_the_start(accounts, tmp_path):
    accounts.configure({"account_days": {"enabled": False}})
    for i in range(10):
        accounts.load([("a", i + 1, i % 5), (f"u{i}", 1, 0)])
        assert sluice(accounts, "run").returncode == 0
    assert accounts.outputs()["account_days"] == []
    accounts.configure()
    result = sluice(accounts, "backfill", "account_days", "--since", "2020-01-01")
    assert result.returncode == 0, result.stderr
    assert accounts.outputs() == accounts.expected()
    accounts.load([("a", 5, 4)])
    assert sluice(accounts, "run").returncode == 0
    assert accounts.outputs() == accounts.expected()


def test_destroy_removes_owned_tables_and_offsets(accounts):
    accounts.load(BATCHES[0])
    assert sluice(accounts, "run").returncode == 0
    assert sluice(accounts, "destroy", "account_days", "--yes").returncode == 0
    assert accounts.outputs()["account_days"] == []
    offsets = accounts.sql("SELECT COUNT(*) FROM derived.staged_offsets WHERE consumer = 'account_days'")
    assert offsets[0][0] == 0


def test_status_json_reports_backlog_and_runs(accounts):
    import json

    accounts.load(BATCHES[0])
    assert sluice(accounts, "run", "events_base", "account_totals").returncode == 0
    report = json.loads(sluice(accounts, "status", "--json").stdout)
    backlog = {b["consumer"]: b for b in report["backlog"]}
    assert backlog["account_days"]["batches"] == 1 and backlog["account_days"]["rows"] == 2
    assert backlog["account_totals"]["batches"] == 0
    assert {m["module"] for m in report["modules"]} == {"events_base", "account_totals"}


def test_full_refresh_rebuilds_a_module_and_what_depends_on_it(accounts):
    for batch in BATCHES:
        accounts.load(batch)
        assert sluice(accounts, "run").returncode == 0
    # damage both consumers' outputs: a rebuild of account_totals mends it alone
    accounts.sql("UPDATE derived.account_totals SET amount = -1; UPDATE derived.account_days SET amount = -1")
    result = sluice(accounts, "run", "--full-refresh", "account_totals")
    assert result.returncode == 0, result.stderr
    assert "rebuilt account_totals from the retained input" in result.stdout
    assert accounts.outputs()["account_totals"] == accounts.expected()["account_totals"]
    assert {row[3] for row in accounts.outputs()["account_days"]} == {-1}
    # rebuilding the producer rebuilds everything downstream, from the raw events
    result = sluice(accounts, "run", "--full-refresh", "events_base")
    assert result.returncode == 0, result.stderr
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("rebuilt ")]
    assert line.startswith("rebuilt events_base, ") and "account_totals" in line and "account_days" in line
    assert accounts.outputs() == accounts.expected()
    # and the lifecycle goes on as before
    accounts.load([("e", 9, 4)])
    assert sluice(accounts, "run").returncode == 0
    assert accounts.outputs() == accounts.expected()
