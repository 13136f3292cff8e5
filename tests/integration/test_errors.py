"""Bad input gets one clear line: what and where, a non-zero exit, no traceback without
--debug, and nothing run or committed."""

from __future__ import annotations

import sys

import pytest
import yaml

from sluice.errors import ConfigError
from sluice.targets import target_class
from tests.cli import invoke, spawn
from tests.integration.accounts import BATCHES, Accounts


def write_config(root, config: dict) -> None:
    (root / "sluice.yml").write_text(yaml.safe_dump(config))


def one_line(result, status: int, *needles: str) -> str:
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    message = result.stderr.strip()
    assert message.count("\n") == 0, message
    assert "Traceback" not in message
    for needle in needles:
        assert needle in message, message
    return message


SLUICE_YML_ERRORS = [
    ({"targets": {"local": {"type": "duckdb", "lock_timeout": "soon"}}},
     ["sluice.yml", "targets.local: ", "lock_timeout", "number", "'soon'"]),
    ({"targets": ["local"]}, ["sluice.yml", "targets", "dictionary", "a list"]),
    ({"targets": {"local": {"type": "duckdb", "lock_timout": 3}}},
     ["sluice.yml", "lock_timout: unknown key", "lock_timeout"]),
    ({"targets": {"local": {"type": "duckdb"}}, "modules": {"base": {"schedul": "* * * * *"}}},
     ["sluice.yml", "modules.base.schedul: unknown key", "schedule"]),
    ({"targets": {"local": {"type": "duckdb"}}, "models": ["snowplow-webb"]},
     ["models", "unknown model family 'snowplow-webb'", "Did you mean 'snowplow-web'?"]),
    ({"targets": {"local": {"type": "duckdb"}}, "default_target": "prod"},
     ["sluice.yml", "default_target 'prod'", "local"]),
    ("targets: {local: {type: duckdb}\n", ["sluice.yml:", "not valid YAML"]),
]


@pytest.mark.parametrize(("config", "needles"), SLUICE_YML_ERRORS)
@pytest.mark.parametrize("command", [["run"], ["status"]])
def test_a_bad_sluice_yml_is_one_line_naming_file_and_key(tmp_path, config, needles, command):
    if isinstance(config, str):
        (tmp_path / "sluice.yml").write_text(config)
    else:
        write_config(tmp_path, config)
    one_line(invoke(tmp_path, *command), 1, *needles)
    assert not (tmp_path / ".sluice").exists()  # nothing was created


def test_debug_shows_the_traceback(tmp_path):
    write_config(tmp_path, {"targets": {"local": {"type": "duckdb", "lock_timeout": "soon"}}})
    result = spawn(tmp_path, "--debug", "status")
    assert result.returncode == 1 and "Traceback" in result.stderr and "ConfigError" in result.stderr


def test_a_duckdb_path_that_cannot_be_created(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    write_config(tmp_path, {"targets": {"local": {"type": "duckdb", "path": "afile/db.duckdb"}}})
    one_line(invoke(tmp_path, "status"), 1, "target 'local'", "cannot create", "afile")


def test_a_file_that_is_no_duckdb_database(tmp_path):
    (tmp_path / "junk.duckdb").write_text("hello, I am not a database\n" * 100)
    write_config(tmp_path, {"targets": {"local": {"type": "duckdb", "path": "junk.duckdb"}}})
    one_line(invoke(tmp_path, "status"), 1, "target 'local'", "cannot open", "junk.duckdb")


def test_check_validates_every_target(tmp_path):
    write_config(tmp_path, {"targets": {"local": {"type": "duckbd"},
                                        "other": {"type": "duckdb", "threads": "many"}}, "models": []})
    result = invoke(tmp_path, "check")
    assert result.returncode == 7
    assert "unknown target type 'duckbd'. Did you mean 'duckdb'?" in result.stdout
    assert "targets.other: threads: expected a valid integer" in result.stdout
    assert "the project is sound" not in result.stdout


def test_redshift_without_its_driver_names_the_extra(monkeypatch):
    # A module set to None in sys.modules makes `import` fail as if it were not installed.
    monkeypatch.setitem(sys.modules, "redshift_connector", None)
    monkeypatch.delitem(sys.modules, "sluice.targets.redshift", raising=False)
    with pytest.raises(ConfigError, match=r'needs its driver redshift_connector: pip install "sluice\[redshift\]"'):
        target_class("redshift", "sluice.yml: targets.rs")


def test_unknown_module_and_unknown_phase(tmp_path):
    write_config(tmp_path, {"targets": {"local": {"type": "duckdb"}}})
    one_line(invoke(tmp_path, "run", "pageviews"), 1, "unknown module 'pageviews'", "page_views")
    assert invoke(tmp_path, "run", "--only", "both").returncode == 2  # click's usage error


@pytest.fixture
def accounts(project) -> Accounts:
    acc = Accounts(project.root, project.target_settings)
    acc.create_source()
    return acc


def test_a_failing_query_names_module_file_and_line(accounts):
    accounts.load(BATCHES[0])
    path = accounts.root / "sql/custom/account_totals/01-main/03-upsert.sql"
    path.write_text("-- replace the account's row\n"
                    "DELETE FROM {{ table(output_schema, 'account_totals') }}\n"
                    "WHERE account IN (SELECT account FROM {{ table(scratch_schema, 'account_totals_this_run') }});\n"
                    "\n"
                    "INSERT INTO {{ table(output_schema, 'account_totals') }}\n"
                    "SELECT account, events,\n"
                    "       amount_typo\n"
                    "FROM {{ table(scratch_schema, 'account_totals_this_run') }};\n")
    result = invoke(accounts.root, "run")
    message = one_line(result, 6, "module 'account_totals' main", "step 'upsert'", "amount_typo")
    assert "sql/custom/account_totals/01-main/03-upsert.sql:7:" in message
    # nothing of account_totals was committed; its offset did not move
    offsets = dict(accounts.sql("SELECT consumer, consumed_batch FROM derived.staged_offsets"))
    assert offsets["account_totals"] == 0 and offsets["account_days"] > 0


def test_a_template_error_downstream_stops_the_run_before_anything_commits(accounts):
    accounts.load(BATCHES[0])
    path = accounts.root / "sql/custom/account_days/01-main/03-upsert.sql"
    path.write_text(path.read_text() + "\n-- {{ undefined_knob }}\n")
    result = invoke(accounts.root, "run")
    one_line(result, 7, "03-upsert.sql", "variable 'undefined_knob' is not defined")
    # base, which runs first, committed nothing: its batch was never opened
    assert accounts.sql("SELECT COUNT(*) FROM derived.staged_batches")[0][0] == 0
    assert accounts.sql("SELECT COUNT(*) FROM derived.datamodel_metadata")[0][0] == 0


def test_dry_run_renders_and_parses_the_whole_plan_without_touching_the_warehouse(accounts):
    result = invoke(accounts.root, "run", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "module 'account_days' complete" in result.stdout
    assert accounts.sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'derived'")[0][0] == 0
    path = accounts.root / "sql/custom/account_days/01-main/03-upsert.sql"
    path.write_text(path.read_text().replace("DELETE FROM", "DELETE FORM"))
    one_line(invoke(accounts.root, "run", "--dry-run"), 5, "dry run", "account_days", "does not parse")


def test_from_step_starts_the_named_module_there(accounts):
    accounts.load(BATCHES[0])
    assert invoke(accounts.root, "run", "events_base").returncode == 0
    one_line(invoke(accounts.root, "run", "--from-step", "upsert"), 1, "--from-step needs exactly one module")
    one_line(invoke(accounts.root, "run", "account_totals", "--from-step", "upser"), 1,
             "no step 'upser'", "setup, this-run, upsert")
    # starting at `this-run` skips `setup`, which only creates the table: the run still works
    accounts.sql("CREATE TABLE derived.account_totals (account VARCHAR(36), events BIGINT, amount BIGINT)")
    result = invoke(accounts.root, "run", "account_totals", "--from-step", "this-run")
    assert result.returncode == 0, result.stderr
    assert "step setup" not in result.stdout and "step this-run" in result.stdout


def test_load_fails_when_every_record_of_a_file_is_rejected(duckdb_project):
    root = duckdb_project.root
    (root / "good.tsv").write_text("")  # no records: nothing rejected, nothing loaded, fine
    (root / "bad.tsv").write_text("only\tthree\tfields\nand\tthree\tagain\n")
    result = invoke(root, "load", "bad.tsv")
    message = one_line(result, 1, "every record of bad.tsv was rejected", "bad.tsv.rejects.tsv")
    rejects = (root / "bad.tsv.rejects.tsv").read_text().splitlines()
    assert rejects[0] == "file\tline\treason" and len(rejects) == 3, message
    assert invoke(root, "load", "good.tsv").returncode == 0


def test_a_full_refresh_that_cannot_restage_its_input_refuses_before_destroying_anything(accounts):
    accounts.load(BATCHES[0])
    assert invoke(accounts.root, "run").returncode == 0
    module_yml = accounts.root / "playbooks/custom/events_base/module.yml"
    module_yml.write_text(module_yml.read_text().replace("backfill: 50-events-base-backfill.yml\n", ""))
    before = accounts.state()
    one_line(invoke(accounts.root, "run", "--full-refresh", "account_totals"), 1,
             "--full-refresh: module 'events_base' produces events_staged but has no backfill playbook",
             "rebuild 'events_base' too")
    assert accounts.state() == before == {**before, "account_totals": [("a", 1, 1), ("b", 1, 2)]}
