"""The Airflow DAGs of a project: the two-line DAG file imports, each module's DAG has the
shape and schedule sluice.yml gives it, and `dag.test()` runs modules end to end on DuckDB and
PostgreSQL, including a module whose lock is held and one whose critical check fails.

The project is the tests' accounts project (tests/fixtures/accounts): `events_base` stages
`events_staged`, which `account_totals` and `account_days` read."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.models.taskreschedule import TaskReschedule
from airflow.sdk import Asset
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState, TaskInstanceState
from sqlalchemy import func, select

from sluice.airflow import build_dags
from sluice.api import Sluice
from sluice.errors import ConfigError
from tests.airflow.conftest import DAGS_FOLDER
from tests.integration.accounts import Accounts

SCHEDULES = {"events_base": {"schedule": "*/15 * * * *"}, "account_days": {"schedule": "0 3 * * *"}}
MODULE_DAGS = ["sluice_account_days", "sluice_account_totals", "sluice_events_base"]
CHECKED_MAIN = """\
steps:
  - name: setup
    queries: [{name: table, file: 01-main/01-setup.sql}]
  - name: this-run
    queries: [{name: this-run, file: 01-main/02-this-run.sql}]
  - name: guard
    checks: [{name: no_negative_totals, file: 01-main/04-no-negative-totals.sql, severity: critical}]
  - name: upsert
    queries: [{name: upsert, file: 01-main/03-upsert.sql}]
"""


def with_dag_file(project) -> Accounts:
    """The accounts project, its two-line DAG file in Airflow's DAGs folder (where `dag.test()`
    looks the DAGs up)."""
    acc = Accounts(project.root, project.target_settings, modules=SCHEDULES)
    (DAGS_FOLDER / "sluice_dags.py").write_text(
        f"from sluice.airflow import build_dags\nglobals().update(build_dags({str(project.root)!r}))\n")
    return acc


@pytest.fixture
def accounts(project) -> Accounts:
    """On DuckDB, then on PostgreSQL."""
    acc = with_dag_file(project)
    acc.create_source()
    return acc


@pytest.fixture
def parsed(duckdb_project) -> Accounts:
    """For what Airflow sees when it parses the DAG file: no warehouse is touched."""
    return with_dag_file(duckdb_project)


def staged(table: str) -> Asset:
    return Asset(name=f"sluice.test.{table}", uri=f"x-sluice://sluice/test/{table}")


def states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_the_dag_file_imports_one_dag_per_module(parsed):
    bag = DagBag(dag_folder=str(DAGS_FOLDER))
    assert bag.import_errors == {}
    assert not (parsed.root / ".sluice" / "test.duckdb").exists()  # parsing touched no warehouse
    assert sorted(bag.dag_ids) == MODULE_DAGS
    for dag in bag.dags.values():
        assert sorted(dag.task_ids) == ["complete", "main"]
        assert dag.get_task("main").downstream_task_ids == {"complete"}
        assert dag.max_active_runs == 1 and not dag.catchup
    events_base, totals, days = (bag.dags[f"sluice_{m}"] for m in ("events_base", "account_totals", "account_days"))
    # the cron schedules of sluice.yml; a module without one runs when what it reads is new
    assert (events_base.schedule, days.schedule) == ("*/15 * * * *", "0 3 * * *")
    assert totals.schedule == [staged("events_staged")]  # a list: runs when all are new
    # the modules meet at the staged table: written by the producer's complete, read by the consumers' main
    assert events_base.get_task("complete").outlets == [staged("events_staged")]
    assert events_base.get_task("main").inlets == []
    assert totals.get_task("main").inlets == days.get_task("main").inlets == [staged("events_staged")]
    assert totals.get_task("complete").outlets == [staged("account_totals")]


def test_a_module_that_reads_a_this_run_table_cannot_be_a_dag_of_its_own(parsed):
    module_file = parsed.root / "playbooks/custom/account_days/module.yml"
    module_file.write_text(module_file.read_text().replace("consumes: [events_staged]",
                                                           "consumes: [events_this_run]"))
    with pytest.raises(ConfigError, match="module 'account_days' reads events_this_run, which exists only "
                                          "between its producer's main and complete"):
        build_dags(parsed.root)


def test_dag_test_runs_modules_end_to_end(accounts, caplog):
    caplog.set_level(logging.INFO, logger="sluice")
    accounts.load([("a", 1, 0), ("b", 2, 0), ("a", 4, 0)])
    dags = build_dags(accounts.root)
    for name in ("sluice_events_base", "sluice_account_totals"):
        run = dags[name].test()
        assert run.state == DagRunState.SUCCESS
        assert states(run) == {"main": TaskInstanceState.SUCCESS, "complete": TaskInstanceState.SUCCESS}
    assert accounts.outputs() == {"account_totals": [("a", 2, 5), ("b", 1, 2)], "account_days": []}
    # the task log holds the command line's lines, through the `sluice.*` loggers
    lines = [r.getMessage() for r in caplog.records if r.name.split(".")[0] == "sluice"]
    assert any(re.fullmatch(r"\[test\] upsert::upsert ok, 2 rows, \d+\.\d\ds", line) for line in lines)


class FreeTheLockOnceRescheduled(logging.Handler):
    """Deletes the other run's lock when the task says it will try again, so the first try
    meets the lock and the next finds it free, however slow the machine."""

    def __init__(self, accounts: Accounts):
        super().__init__()
        self.accounts = accounts
        self.said: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "trying again" in record.getMessage():
            self.said.append(record.getMessage())
            self.accounts.sql("DELETE FROM derived.module_locks WHERE run_id = 'r-other'")


def test_a_task_whose_module_is_locked_is_rescheduled_until_the_lock_is_free(accounts):
    accounts.load([("a", 1, 0)])
    with Sluice(accounts.root) as project:
        project.open()  # creates the lifecycle tables, module_locks among them
    # held by a live run elsewhere (a lock from the future is never stale)
    accounts.sql("INSERT INTO derived.module_locks VALUES ('events_base', 'r-other', 'elsewhere', 1, "
                 "CAST('2099-01-01 00:00:00' AS TIMESTAMP))")
    dags = build_dags(accounts.root, reschedule_after=timedelta(seconds=1))
    watcher = FreeTheLockOnceRescheduled(accounts)
    logging.getLogger("sluice").addHandler(watcher)
    try:
        run = dags["sluice_events_base"].test()
    finally:
        logging.getLogger("sluice").removeHandler(watcher)
    assert watcher.said == ["module 'events_base' is locked by run r-other on host elsewhere, pid 1, "
                            "since 2099-01-01 00:00:00: trying again in 0:00:01"]
    assert run.state == DagRunState.SUCCESS
    main = run.get_task_instance("main")
    with create_session() as session:
        rescheduled = session.scalar(select(func.count()).select_from(TaskReschedule)
                                     .where(TaskReschedule.ti_id == main.id))
    assert rescheduled == 1
    assert main.try_number == 1  # waiting for a lock used no retry
    assert accounts.sql("SELECT event_id FROM scratch.events_staged") == [("e1",)]


def test_a_failing_critical_check_fails_the_task_with_its_message(accounts, capsys):
    accounts.write_sql("account_totals/01-main/04-no-negative-totals.sql",
                       "SELECT account, amount FROM {{ table(scratch_schema, 'account_totals_this_run') }} "
                       "WHERE amount < 0")
    accounts.root.joinpath("playbooks/custom/account_totals/01-account_totals-main.yml").write_text(CHECKED_MAIN)
    accounts.load([("a", 5, 0), ("a", -9, 1), ("b", 3, 1)])  # a's total is -4
    # retries allowed: a failed check must fail at once all the same
    dags = build_dags(accounts.root, default_args={"retries": 1, "retry_delay": timedelta(seconds=1)})
    assert dags["sluice_events_base"].test().state == DagRunState.SUCCESS
    run = dags["sluice_account_totals"].test()
    assert run.state == DagRunState.FAILED
    assert states(run) == {"main": TaskInstanceState.FAILED, "complete": TaskInstanceState.UPSTREAM_FAILED}
    assert run.get_task_instance("main").try_number == 1
    message = ("module 'account_totals': critical check 'no_negative_totals' found 1 failing row "
               "(kept in scratch.dq_failures_no_negative_totals); nothing was written")
    # the task log (Airflow's own, on stdout here) ends the failed try with it
    assert f"AirflowFailException: {message}" in capsys.readouterr().out
    assert accounts.outputs()["account_totals"] == []
