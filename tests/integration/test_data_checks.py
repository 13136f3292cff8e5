"""Data checks as playbook steps: a critical check stops its module before anything is
written; a warn check is recorded and the run goes on; the built-in volume and freshness
checks; what `sluice check` and `sluice status` show."""

from __future__ import annotations

import json

import pytest

from tests.cli import invoke
from tests.integration.accounts import Accounts

TOTALS_MAIN = "playbooks/custom/account_totals/01-account_totals-main.yml"
BASE_MAIN = "playbooks/custom/events_base/01-events-base-main.yml"


@pytest.fixture
def accounts(project) -> Accounts:
    acc = Accounts(project.root, project.target_settings)
    acc.create_source()
    # account_totals: a critical check between building its scratch table and upserting, a
    # warn check after the upsert
    acc.write_sql("account_totals/01-main/04-no-negative-totals.sql",
                  "SELECT account, amount FROM {{ table(scratch_schema, 'account_totals_this_run') }} "
                  "WHERE amount < 0")
    acc.write_sql("account_totals/01-main/06-big-accounts.sql",
                  "SELECT account, amount FROM {{ table(output_schema, 'account_totals') }} WHERE amount > 100")
    acc.root.joinpath(TOTALS_MAIN).write_text("""\
steps:
  - name: setup
    queries: [{name: table, file: 01-main/01-setup.sql}]
  - name: this-run
    queries: [{name: this-run, file: 01-main/02-this-run.sql}]
  - name: guard
    checks: [{name: no_negative_totals, file: 01-main/04-no-negative-totals.sql, severity: critical}]
  - name: upsert
    queries: [{name: upsert, file: 01-main/03-upsert.sql}]
  - name: watch
    checks: [{name: big_accounts, file: 01-main/06-big-accounts.sql, severity: warn}]
""")
    return acc


def run(acc: Accounts, *args: str):
    return invoke(acc.root, "run", *args)


def test_a_failing_critical_check_stops_the_module_before_it_writes(accounts):
    accounts.load([("a", 5, 0)])
    assert run(accounts).returncode == 0
    accounts.load([("a", -9, 1), ("b", 3, 1)])  # a's total becomes -4
    result = run(accounts)
    assert result.returncode == 8
    assert result.stderr.strip() == (
        "sluice: error: module 'account_totals': critical check 'no_negative_totals' found 1 failing row "
        "(kept in scratch.dq_failures_no_negative_totals); nothing was written")
    assert accounts.outputs()["account_totals"] == [("a", 1, 5)]  # the first run's row, untouched
    assert accounts.sql("SELECT account, amount FROM scratch.dq_failures_no_negative_totals") == [("a", -4)]
    offsets = dict(accounts.sql("SELECT consumer, consumed_batch FROM derived.staged_offsets"))
    assert offsets["account_totals"] == 1  # still the first batch: the failed run committed nothing
    results = accounts.sql("SELECT check_name, severity, n_failing FROM derived.dq_results ORDER BY checked_at")
    assert results[-1] == ("no_negative_totals", "critical", 1)


def test_a_warn_check_is_recorded_and_the_run_goes_on(accounts):
    accounts.load([("a", 60, 0), ("a", 70, 0), ("b", 1, 0)])
    result = run(accounts)
    assert result.returncode == 0, result.stderr
    assert "warning: module 'account_totals': warn check 'big_accounts' found 1 failing row" in result.stdout
    assert accounts.outputs() == accounts.expected()
    (row,) = accounts.sql("SELECT check_name, severity, n_failing, sample FROM derived.dq_results "
                          "WHERE check_name = 'big_accounts'")
    assert row[:3] == ("big_accounts", "warn", 1) and json.loads(row[3]) == [{"account": "a", "amount": 130}]
    status = json.loads(invoke(accounts.root, "status", "--json").stdout)
    checks = {c["check"]: c for c in status["checks"]}
    assert checks["big_accounts"]["failing"] == 1 and checks["no_negative_totals"]["failing"] == 0


def test_check_lists_the_checks_and_refuses_a_critical_check_after_the_writes(accounts):
    listed = invoke(accounts.root, "check")
    assert listed.returncode == 0, listed.stdout
    assert "data check: module 'account_totals' main: no_negative_totals (critical)" in listed.stdout
    assert "data check: module 'account_totals' main: big_accounts (warn)" in listed.stdout
    path = accounts.root / TOTALS_MAIN
    path.write_text(path.read_text().replace("severity: warn", "severity: critical"))
    late = invoke(accounts.root, "check")
    assert late.returncode == 7
    assert "critical check 'big_accounts' runs after step 'upsert' writes the module's outputs" in late.stdout


def test_volume_and_freshness_come_built_in(accounts):
    path = accounts.root / BASE_MAIN
    path.write_text(path.read_text() + """\
  - name: health
    checks:
      - {name: events_volume, builtin: volume, severity: warn, with: {counted_table: events_this_run}}
      - {name: events_fresh, builtin: freshness, severity: warn,
         with: {schema_variable: input_schema, fresh_table: raw_events, time_column: loaded_at}}
""")
    for i in range(3):  # three runs of two events each make the volume's history
        accounts.load([(f"x{i}", 1, 0), (f"y{i}", 1, 0)])
        assert "events_volume" not in run(accounts).stdout.split("warning:")[-1]
    accounts.load([(f"z{i}", 1, 0) for i in range(12)])  # 12 rows against a mean of 2: outside 50 %
    result = run(accounts)
    assert result.returncode == 0, result.stderr
    assert "warn check 'events_volume' found 1 failing row" in result.stdout
    # every load is dated 2024: older than freshness_hours (26) whenever the test runs
    assert "warn check 'events_fresh' found 1 failing row" in result.stdout
    (volume,) = accounts.sql("SELECT sample FROM derived.dq_results WHERE check_name = 'events_volume' "
                             "AND n_failing = 1")
    assert json.loads(volume[0]) == [{"n_rows": 12, "mean_rows": 2.0, "runs": 3}]
