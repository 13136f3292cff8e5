"""What `sluice run` and `sluice load` report, and how: plain lines when stdout is not a
terminal, nothing but the error line with `--quiet`, JSON lines with `--json`, and the same
events as `sluice.*` logging records (what an Airflow task log receives), through the command
and through `sluice.api`. The terminal's progress bars are driven record by record.

The project is the tests' accounts fixture: `events_base` (whose metadata counts its rows),
then `account_totals` and `account_days`; the load is a RudderStack export of two small files.
"""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys

import pytest
from rich.console import Console

from sluice.api import Sluice
from sluice.output import Event, Reporter
from sluice.output_terminal import TerminalHandler
from sluice.targets import QueryResult
from tests.cli import invoke
from tests.integration.accounts import BATCHES, Accounts

STAMP = r"\d\d:\d\d:\d\d "
PLAN = ["events_base:main", "events_base:complete", "account_days:main", "account_days:complete",
        "account_totals:main", "account_totals:complete"]
BROKEN = "SELECT no_such_column FROM {{ table(scratch_schema, 'events_staged') }}"


@pytest.fixture
def accounts(project) -> Accounts:
    acc = Accounts(project.root, project.target_settings)
    acc.create_source()
    acc.load(BATCHES[0])  # two events: events_base's main counts 2 rows
    return acc


def break_account_totals(acc: Accounts) -> None:
    acc.write_sql("account_totals/01-main/02-this-run.sql", BROKEN)


def shown(screen: io.StringIO) -> str:
    """What a terminal shows, without its colour codes."""
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", screen.getvalue())


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def write_rudder_export(root) -> None:
    """tracks.csv (3 rows, one without an id: rejected) and pages.csv (1 row)."""
    folder = root / "export"
    folder.mkdir()
    (folder / "tracks.csv").write_text("id,anonymous_id,event,timestamp,received_at\n"
                                       "t1,a1,Viewed,2024-03-01T10:00:00Z,2024-03-01T10:00:01Z\n"
                                       "t2,a1,Bought,2024-03-01T10:05:00Z,2024-03-01T10:05:01Z\n"
                                       ",a2,Viewed,2024-03-01T11:00:00Z,2024-03-01T11:00:01Z\n")
    (folder / "pages.csv").write_text("id,anonymous_id,timestamp,received_at\n"
                                      "p1,a1,2024-03-01T09:59:00Z,2024-03-01T09:59:01Z\n")


# -- plain lines -----------------------------------------------------------------------------
def test_run_prints_plain_timed_lines_when_stdout_is_not_a_terminal(accounts):
    result = invoke(accounts.root, "run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "\x1b[" not in result.stdout  # no colour, no live display
    assert lines[0] == f"plan: {', '.join(PLAN)}"
    started = [line for line in lines if "started (run " in line]
    assert [re.sub(STAMP, "", line).split(" started")[0] for line in started] == [
        f"module '{m}' {p}" for m, p in (n.split(":") for n in PLAN)]
    assert all(re.match(STAMP, line) for line in started)
    done = [re.sub(STAMP, "", line) for line in lines if " done in " in line]
    assert re.fullmatch(r"module 'events_base' main done in \d+\.\d\ds, 2 rows", done[0])
    assert re.fullmatch(r"module 'account_days' main done in \d+\.\d\ds", done[2])  # no metadata: no rows
    assert any(re.fullmatch(STAMP + r"\[test\] step this-run: 1 query", line) for line in lines)
    assert any(re.fullmatch(STAMP + r"\[test\] this-run::this-run ok, \d+ rows, \d+\.\d\ds", line) for line in lines)
    assert re.fullmatch(r"run: 3 module runs, 2 rows \(events_base 2, account_days 0, account_totals 0\) "
                        r"in \d+\.\d\ds", lines[-1])


def test_load_prints_a_line_per_file_with_its_rate_and_a_summary(duckdb_project):
    write_rudder_export(duckdb_project.root)
    result = invoke(duckdb_project.root, "load", "--source", "rudderstack", "export")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()  # no time first: a file's line says its own seconds
    assert lines[0] == "loading 2 files (rudderstack)"
    assert re.fullmatch(r"export/pages\.csv: 1 rows, 0 rejected, 0 discarded, new table, \d+\.\d\ds, [\d,]+ rows/s",
                        lines[1])
    assert re.fullmatch(r"export/tracks\.csv: 2 rows, 1 rejected, 0 discarded, new table, \d+\.\d\ds, "
                        r"[\d,]+ rows/s", lines[2])
    assert lines[3].startswith("loaded 2 files in 1 load: 3 rows, 1 rejected")


def test_a_reader_that_goes_away_drops_the_lines_not_the_run(duckdb_project):
    """`sluice run | head -n 1`: the run finishes, without a logging error per line."""
    accounts = Accounts(duckdb_project.root, duckdb_project.target_settings)
    accounts.create_source()
    accounts.load(BATCHES[0])
    process = subprocess.Popen([sys.executable, "-m", "sluice", "run"], cwd=accounts.root, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().startswith("plan: ")
    process.stdout.close()
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == ""
    assert accounts.outputs()["account_days"] == [("a", "2024-01-01", 1, 1), ("b", "2024-01-01", 1, 2)]


# -- --quiet -----------------------------------------------------------------------------------
def test_quiet_prints_nothing_on_success(accounts):
    result = invoke(accounts.root, "--quiet", "run")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert accounts.outputs()["account_totals"] == [("a", 1, 1), ("b", 1, 2)]  # it did run


def test_quiet_prints_the_one_error_line_on_failure(accounts):
    break_account_totals(accounts)
    result = invoke(accounts.root, "-q", "run")
    assert result.returncode == 6
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("sluice: error: ") and "account_totals" in line and "02-this-run.sql" in line


def test_quiet_load_prints_nothing(duckdb_project):
    write_rudder_export(duckdb_project.root)
    result = invoke(duckdb_project.root, "-q", "load", "--source", "rudderstack", "export")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


# -- --json ------------------------------------------------------------------------------------
def test_json_run_is_one_object_per_event_with_the_summary_last(accounts):
    result = invoke(accounts.root, "--json", "run")
    assert result.returncode == 0, result.stderr
    events = json_lines(result.stdout)
    assert all({"event", "time", "level", "logger", "message"} <= set(e) for e in events)
    finished = [e for e in events if e["event"] == "module_finished"]
    assert [(e["module"], e["phase"]) for e in finished] == [tuple(n.split(":")) for n in PLAN]
    assert finished[0]["rows"] == 2 and finished[0]["logger"] == "sluice.run"
    assert all(isinstance(e["seconds"], float) and e["seconds"] >= 0 and e["error"] is None for e in finished)
    queries = [e for e in events if e["event"] == "query_finished"]
    assert {"target", "step", "query", "rows", "seconds"} <= set(queries[0]) and queries[0]["target"] == "test"
    summary = events[-1]
    assert summary["event"] == "summary" and summary["command"] == "run"
    assert summary["rows"] == 2 and summary["seconds"] > 0
    assert [(r["module"], r["outcome"], r["rows"]) for r in summary["module_runs"]] == [
        ("events_base", "complete", 2), ("account_days", "complete", None), ("account_totals", "complete", None)]


def test_json_failure_ends_with_a_failed_object_and_the_line_on_stderr(accounts):
    break_account_totals(accounts)
    result = invoke(accounts.root, "--json", "run")
    assert result.returncode == 6
    events = json_lines(result.stdout)
    failed_module = [e for e in events if e["event"] == "module_finished" and e["error"]]
    assert [(e["module"], e["phase"], e["level"]) for e in failed_module] == [("account_totals", "main", "warning")]
    assert events[-1]["event"] == "failed" and events[-1]["exit_code"] == 6
    assert result.stderr.strip() == events[-1]["message"]


def test_json_load_carries_files_rows_and_seconds(duckdb_project):
    write_rudder_export(duckdb_project.root)
    result = invoke(duckdb_project.root, "--json", "load", "--source", "rudderstack", "export")
    assert result.returncode == 0, result.stderr
    events = json_lines(result.stdout)
    assert (events[0]["event"], events[0]["files"]) == ("load_started", 2)
    files = [e for e in events if e["event"] == "file_loaded"]
    assert [(e["file"], e["rows"], e["rejected"], e["created"]) for e in files] == [
        ("export/pages.csv", 1, 0, ["pages"]), ("export/tracks.csv", 2, 1, ["tracks"])]
    assert all(e["seconds"] > 0 for e in files)
    summary = events[-1]
    assert (summary["command"], summary["files"], summary["rows"], summary["rejected"]) == ("load", 2, 3, 1)
    assert summary["tables"] == {"pages": 1, "tracks": 2}


def test_json_status_is_one_object(accounts):
    assert invoke(accounts.root, "-q", "run").returncode == 0
    (status,) = json_lines(invoke(accounts.root, "--json", "status").stdout)
    assert status["event"] == "status"
    assert {m["module"] for m in status["modules"]} == {"events_base", "account_totals", "account_days"}
    assert status["modules"] == json.loads(invoke(accounts.root, "status", "--json").stdout)["modules"]


def test_quiet_and_json_are_exclusive(duckdb_project):
    result = invoke(duckdb_project.root, "--quiet", "--json", "status")
    assert result.returncode == 2 and "exclusive" in result.stderr


# -- logging records -------------------------------------------------------------------------
def test_the_command_logs_every_line_as_a_sluice_record(accounts, caplog):
    result = invoke(accounts.root, "run")
    assert result.returncode == 0, result.stderr
    records = [r for r in caplog.records if r.name.startswith("sluice")]
    # every line printed is a record's message (the plain view adds the time to a run's lines)
    assert [re.sub(f"^{STAMP}", "", line) for line in result.stdout.splitlines()] == [
        r.getMessage() for r in records if r.levelno >= logging.INFO]
    finished = [r for r in records if r.sluice.name == "module_finished"]
    assert {r.name for r in finished} == {"sluice.run"}
    assert finished[0].sluice.figures["module"] == "events_base" and finished[0].sluice.figures["rows"] == 2
    assert records[-1].sluice.name == "summary" and records[-1].name == "sluice"


def test_a_failed_run_logs_the_error_record(accounts, caplog):
    break_account_totals(accounts)
    assert invoke(accounts.root, "-q", "run").returncode == 6
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [(r.name, r.sluice.name, r.sluice.figures["exit_code"]) for r in errors] == [("sluice", "failed", 6)]


def test_the_api_logs_the_same_events_for_an_orchestrators_log(accounts, caplog):
    """An Airflow task calls sluice.api; its task log is the root logger's handler."""
    caplog.set_level(logging.INFO, logger="sluice")
    with Sluice(accounts.root) as project:
        result = project.run()
    assert result.rows == 2
    messages = [r.getMessage() for r in caplog.records if r.name == "sluice.run"]
    assert "module 'events_base' main started (run " in messages[0]
    assert sum(" done in " in m for m in messages) == len(PLAN)
    assert any(m.startswith("[test] step this-run: 1 query") for m in messages)


def test_secrets_are_masked_in_records_and_their_figures(caplog, monkeypatch):
    from sluice import secrets

    secrets.register("hunter2-secret")
    caplog.set_level(logging.INFO, logger="sluice")
    Reporter().query_finished("t", "s", "q", 0, 0.1, error="password hunter2-secret refused")
    (record,) = caplog.records
    assert "hunter2" not in record.getMessage() and "hunter2" not in record.sluice.figures["error"]


# -- the terminal --------------------------------------------------------------------------------
@pytest.fixture
def terminal():
    """A TerminalHandler on the `sluice` logger, drawing into a string as a terminal would."""
    screen = io.StringIO()
    # wide enough that no line wraps, whatever the length of the temporary folder's path
    handler = TerminalHandler(Console(file=screen, force_terminal=True, width=400, highlight=False))
    logger = logging.getLogger("sluice")
    before = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield handler, screen
    logger.removeHandler(handler)
    handler.close()
    logger.setLevel(before)


def test_the_terminal_follows_a_load_in_a_progress_bar(terminal, tmp_path):
    handler, screen = terminal
    reporter = Reporter()
    reporter.load_started(2, "snowplow")
    (task,) = handler.progress.tasks
    assert (task.description, task.total, task.completed) == ("loading (snowplow)", 2, 0)
    reporter.rows_loaded(tmp_path / "a.tsv", 500)
    reporter.rows_loaded(tmp_path / "a.tsv", 250)
    assert task.fields["detail"].startswith("0/2 files, 750 rows, ")
    reporter.file_loaded(tmp_path / "a.tsv", 750, 0, 0.5)
    reporter.rows_loaded(tmp_path / "b.tsv", 100)
    assert task.completed == 1 and task.fields["detail"].startswith("1/2 files, 850 rows, ")
    assert "a.tsv: 750 rows, 0 rejected, 0.50s, 1,500 rows/s" in shown(screen)
    assert "+500 rows" not in shown(screen)  # chunk records move the bar, print nothing
    reporter.summary("load", "loaded 2 files")
    assert handler.progress.tasks == [] and not handler.progress.live.is_started


def test_the_terminal_shows_the_module_and_its_step(terminal):
    handler, screen = terminal
    reporter = Reporter()
    reporter.module_started("base", "main", "r1")
    reporter.step_started("local", "stage", 2)
    (task,) = handler.progress.tasks
    assert (task.description, task.fields["detail"]) == ("base main", "step stage (2 queries)")
    reporter.module_finished("base", "main", 1.25, 10)
    assert handler.progress.tasks == []
    reporter.rows("rows per table", QueryResult(["table", "rows"], [("derived.sessions", 3)]))
    assert "module 'base' main done in 1.25s, 10 rows" in shown(screen)
    assert "derived.sessions" in shown(screen) and "┃" in shown(screen)  # a rich table, not tab-separated text


def test_a_nested_quiet_run_moves_the_bars_without_printing(terminal):
    handler, screen = terminal
    from sluice.output import quiet_reporter

    quiet_reporter().module_started("base", "main", "r1")
    assert [t.description for t in handler.progress.tasks] == ["base main"]
    assert "started" not in shown(screen)


def test_records_of_other_code_show_as_plain_lines(terminal):
    handler, screen = terminal
    logging.getLogger("sluice.targets").info("a record without an event")
    assert "a record without an event" in shown(screen)
    assert Event("log").figures == {}
