"""The Python API: result objects, the project's own exceptions, and nothing printed."""

from __future__ import annotations

import pytest

from sluice.api import ModuleInfo, Sluice
from sluice.errors import ConfigError, LockHeld
from tests.integration.accounts import BATCHES, Accounts


@pytest.fixture
def accounts(project) -> Accounts:
    acc = Accounts(project.root, project.target_settings)
    acc.create_source()
    return acc


def test_run_status_and_replay_return_what_happened(accounts, capsys):
    accounts.load(BATCHES[0])
    with Sluice(accounts.root) as project:
        assert project.modules[0] == "events_base"
        result = project.run()
        runs = {r.module: r for r in result.module_runs}
        assert set(runs) == {"events_base", "account_totals", "account_days"}
        assert {r.outcome for r in runs.values()} == {"complete"}
        assert runs["events_base"].rows == 2 and len({r.run_id for r in runs.values()}) == 1
        assert project.complete("account_totals").module_runs == ()  # nothing awaited it
        status = project.status()
        assert {b["consumer"]: b["batches"] for b in status.backlog} == {"account_totals": 0, "account_days": 0}
        accounts.load(BATCHES[1])
        assert project.run(["events_base"], only="main").module_runs[0].outcome == "main_done"
        assert project.complete("events_base").module_runs == ()  # the row is main's, now complete
        assert project.run(catch_up=True).rounds == 1  # the consumers read the committed batch
    assert accounts.outputs() == accounts.expected()
    assert capsys.readouterr() == ("", "")



def test_a_catch_up_runs_again_only_while_a_windowed_source_module_stages_rows(duckdb_project):
    acc = Accounts(duckdb_project.root, duckdb_project.target_settings)
    acc.create_source()
    acc.load(BATCHES[0])
    with Sluice(acc.root) as project:  # events_base may take a window: a second round finds nothing
        assert project.run(catch_up=True).rounds == 2
    module = acc.root / "playbooks" / "custom" / "events_base" / "module.yml"
    module.write_text(module.read_text() + "reads_all_new: true\n")
    acc.load(BATCHES[1])
    with Sluice(acc.root) as project:  # it says it reads everything new: one round
        assert project.run(catch_up=True).rounds == 1
    assert acc.outputs() == acc.expected()

def test_errors_are_the_projects_own(accounts):
    with Sluice(accounts.root) as project:
        with pytest.raises(ConfigError, match="unknown module 'nope'"):
            project.run(["nope"])
        project.run()
        accounts.sql("INSERT INTO derived.module_locks VALUES ('events_base', 'r-x', 'elsewhere', 1, "
                     "CAST('2099-01-01 00:00:00' AS TIMESTAMP))")
        with pytest.raises(LockHeld) as held:
            project.run(["events_base"])
        assert held.value.exit_code == 3 and "elsewhere" in str(held.value)


def test_module_info_says_what_an_orchestrator_needs_without_connecting(duckdb_project):
    acc = Accounts(duckdb_project.root, duckdb_project.target_settings,
                   modules={"events_base": {"schedule": "*/15 * * * *"}})
    project = Sluice(acc.root)
    assert project.module_info() == [
        ModuleInfo("events_base", "Stages every event of each account with new events (the whole account is re-read).",
                   "*/15 * * * *", reads=(), reads_this_run=(), writes=("events_staged",)),
        ModuleInfo("account_days", "Events and amount per account and day, on a slow schedule.",
                   None, reads=("events_staged",), reads_this_run=(), writes=("account_days",)),
        ModuleInfo("account_totals", "Events and amount per account, on a fast schedule.",
                   None, reads=("events_staged",), reads_this_run=(), writes=("account_totals",)),
    ]
    assert not (acc.root / ".sluice" / "test.duckdb").exists()  # no warehouse was opened
    acc.configure({"account_days": {"schedule": "every day"}})
    with pytest.raises(ConfigError, match="module 'account_days': schedule 'every day' is not a valid cron"):
        Sluice(acc.root).module_info()
