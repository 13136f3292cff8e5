"""`sluice load --source growth` and `sluice generate --source growth` from the command line, on
DuckDB and PostgreSQL: values typed by the warehouse, rejects with file, line and reason, one
load batch per file, a header that does not fit refused; and a generated project run batch by
batch equal to one run over all its loads."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.cli import invoke
from tests.integration.growth import GrowthModel


@pytest.fixture
def growth(project) -> GrowthModel:
    return GrowthModel(project.root, project.target_settings)


def write(growth: GrowthModel, name: str, text: str):
    path = growth.root / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_values_are_typed_and_bad_rows_rejected_with_their_line(growth):
    path = write(growth, "sessions.csv", "medium,user_id,time_started,is_paid\n"     # any column order
                 "DIRECT,1,2020-06-01 10:00:00,false\n"
                 "PAID SEARCH,x,2020-06-01 11:00:00,true\n"                        # line 3: no integer
                 "SOCIAL,2,2020-06-31 10:00:00,false\n"                            # line 4: no such day
                 "REFERRAL,3,2020-06-01T12:30:00Z,maybe\n"                         # line 5: no boolean
                 ",4,2020-06-01 13:00:00,\n")                                     # empty: NULL, loaded
    result = invoke(growth.root, "load", "--source", "growth", str(path))
    assert result.returncode == 0, result.stderr
    assert "loaded 1 file: 2 rows added, 0 already loaded, 3 rejected" in result.stdout
    rejects = (growth.root / "in" / "sessions.csv.rejects.tsv").read_text().splitlines()
    assert rejects == ["file\tline\treason", f"{path}\t3\tuser_id: not an int: 'x'",
                       f"{path}\t4\ttime_started: not a timestamp: '2020-06-31 10:00:00'",
                       f"{path}\t5\tis_paid: not a boolean: 'maybe'"]
    assert growth.sql("SELECT user_id, time_started, is_paid, medium, load_batch_id FROM raw.sessions "
                      "ORDER BY user_id") == [(1, datetime(2020, 6, 1, 10), False, "DIRECT", 1),
                                              (4, datetime(2020, 6, 1, 13), None, None, 1)]


def test_each_file_is_a_load_batch(growth):
    write(growth, "b1/conversions.csv", "user_id,registration_time\n1,2020-06-01 12:00:00\n")
    write(growth, "b1/sessions.csv", "user_id,time_started,is_paid,medium\n1,2020-06-01 10:00:00,false,DIRECT\n")
    write(growth, "b2/sessions.csv", "user_id,time_started,is_paid,medium\n1,2020-06-01 10:00:00,false,DIRECT\n"
                                     "1,2020-06-02 10:00:00,true,IMPRESSION\n")
    result = invoke(growth.root, "load", "--source", "growth", str(growth.root / "in"))
    assert result.returncode == 0, result.stderr
    assert "loaded 3 files: 3 rows added, 1 already loaded, 0 rejected" in result.stdout
    assert growth.sql("SELECT load_batch_id, source_table, rows_read, rows_added, rows_rejected FROM raw.growth_loads "
                      "ORDER BY 1") == [(1, "conversions", 1, 1, 0), (2, "sessions", 1, 1, 0), (3, "sessions", 2, 1, 0)]
    assert growth.sql("SELECT load_batch_id, medium FROM raw.sessions ORDER BY 1") == [(2, "DIRECT"), (3, "IMPRESSION")]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("sessions.csv", "user_id,time_started,medium\n1,2020-06-01,DIRECT\n",
     "the header must name user_id, time_started, is_paid, medium once each (missing: is_paid; unknown: none)"),
    ("conversions.csv", "user_id,registration_time,channel\n1,2020-06-01,x\n",
     "the header must name user_id, registration_time once each (missing: none; unknown: channel)"),
    ("visits.csv", "user_id\n1\n", "a growth file is named after its table (sessions, conversions), not 'visits'"),
])
def test_a_file_that_does_not_fit_is_refused_whole(growth, name, text, message):
    path = write(growth, name, text)
    result = invoke(growth.root, "load", "--source", "growth", str(path))
    assert result.returncode == 1
    assert result.stderr.strip() == f"sluice: error: {path}: {message}; nothing of this file was loaded"


def test_a_file_whose_every_row_is_rejected_fails_the_command(growth):
    path = write(growth, "conversions.csv", "user_id,registration_time\n1,yesterday\n")
    result = invoke(growth.root, "load", "--source", "growth", str(path))
    assert result.returncode == 1 and "every record of" in result.stderr


def test_a_generated_project_run_batch_by_batch_equals_one_run_over_all_its_loads(project):
    root = project.root / "shop"
    assert invoke(project.root, "init", str(root), "--model", "growth").returncode == 0
    assert "models: [growth]" in (root / "sluice.yml").read_text()
    incremental = GrowthModel(root, project.target_settings)
    generated = invoke(root, "generate", "--source", "growth", "--out", "data", "--users", "150",
                       "--batches", "3", "--days", "6", "--start", "2020-06-28")
    assert generated.returncode == 0, generated.stderr
    assert "in 4 batch folders" in generated.stdout
    for batch in sorted((root / "data").iterdir()):
        loaded = invoke(root, "load", "--source", "growth", str(batch))
        assert loaded.returncode == 0 and " 0 rejected" in loaded.stdout, loaded.stderr
        assert invoke(root, "run").returncode == 0
    assert "0 rows added" in loaded.stdout                # the last folder re-sends the first one's sessions
    full_root = project.root / "full"
    full_root.mkdir()
    full = GrowthModel(full_root, project.target_settings,
                       variables={"entropy": "_full", "growth_raw_schema": "raw_full"})
    for batch in sorted((root / "data").iterdir()):
        full.load_path(batch)
    full.run()
    assert incremental.snapshot() == full.snapshot()
    registrations = incremental.sql("SELECT COUNT(*) FROM derived.fact_registrations")[0][0]
    assert registrations > 20
    assert incremental.sql("SELECT COUNT(*) FROM derived.fact_registration_attribution") == [(registrations,)]
    months = incremental.sql("SELECT registration_month, SUM(registrations) FROM derived.mart_channel_attribution "
                             "GROUP BY registration_month ORDER BY registration_month")
    assert len(months) == 2 and sum(n for _, n in months) == registrations   # June and July
