"""`sluice load --source rudderstack`: RudderStack warehouse exports (CSV, one file per table)
into `rs_schema`, on DuckDB and PostgreSQL, through the command line.

Every expected row is written out by hand: a table created by its first file, widened by a
later one, a file without a column, a header-only file, uuid_ts kept or stamped, a 64-bit
session id, rejects with their file and line, values that do not fit their column (NULL and a
`rudder_discards` row), and the generator's batches loaded one after the other.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from sluice.events.rudderstack import load_write
from sluice.events.rudderstack.generate import GenerateConfig, generate
from sluice.events.rudderstack.writer import write_batches
from sluice.targets import Target
from sluice.targets.postgres import PostgresTarget
from tests.cli import Result, invoke

T1, T2 = "2024-03-01T10:00:00.000Z", "2024-03-01T10:05:00.250Z"
LOADED = "2024-03-02T00:00:00.000Z"


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def csv_text(header: list[str], *rows: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def sluice_load(project, path: Path, *args: str) -> Result:
    return invoke(project.root, "load", "--source", "rudderstack", str(path), *args)


def loaded(project, path: Path, *args: str) -> str:
    result = sluice_load(project, path, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def column_types(project, table: str, schema: str = "rudder") -> dict[str, str]:
    rows = project.query("SELECT column_name, data_type FROM information_schema.columns "
                         f"WHERE table_schema = '{schema}' AND table_name = '{table}'")
    return {name: kind.lower() for name, kind in rows}


def read_rejects(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle, delimiter="\t"))


TRACKS_HEADER = ["id", "timestamp", "received_at", "uuid_ts", "event", "event_text", "context_session_id",
                 "anonymous_id", "context_locale"]
TRACKS = [
    ["t1", T1, T1, LOADED, "product_viewed", "Product Viewed", "1709287200000", "a1", "en-GB"],
    ["t2", T2, T2, LOADED, "product_added", "Product Added", "1709287200000", "a1", "en-GB"],
]


@pytest.fixture(params=["duckdb", "postgres", "portable"])
def project(request, monkeypatch):
    """Each test on DuckDB and PostgreSQL (staged, typed in the warehouse), and on the portable
    path Redshift takes (typed in Python, multi-row INSERTs), run on PostgreSQL."""
    if request.param == "portable":
        monkeypatch.setattr(load_write, "WRITERS", {})
        monkeypatch.setattr(PostgresTarget, "bulk_insert", Target.bulk_insert)
        return request.getfixturevalue("postgres_project")
    return request.getfixturevalue(f"{request.param}_project")


# -- tables and columns -----------------------------------------------------------------------
def test_a_table_is_created_by_its_first_file_with_the_declared_types(project):
    path = project.write("drop/tracks.csv", csv_text(TRACKS_HEADER, *TRACKS))
    out = loaded(project, path.parent)
    assert "loaded 1 file in 1 load: 2 rows, 0 rejected, 0 values discarded; tables: tracks 2" in out
    types = column_types(project, "tracks")
    assert set(types) == set(TRACKS_HEADER)
    assert types["timestamp"].startswith("timestamp") and types["uuid_ts"].startswith("timestamp")
    assert types["context_session_id"] == "bigint" and types["event"] in ("varchar", "character varying")
    assert project.query('SELECT id, "timestamp", received_at, uuid_ts, "event", event_text, context_session_id, '
                         "anonymous_id, context_locale FROM rudder.tracks ORDER BY id") == [
        ("t1", datetime(2024, 3, 1, 10), datetime(2024, 3, 1, 10), datetime(2024, 3, 2), "product_viewed",
         "Product Viewed", 1709287200000, "a1", "en-GB"),
        ("t2", datetime(2024, 3, 1, 10, 5, 0, 250000), datetime(2024, 3, 1, 10, 5, 0, 250000), datetime(2024, 3, 2),
         "product_added", "Product Added", 1709287200000, "a1", "en-GB"),
    ]
    # the discards table is there from the first load on, empty
    assert project.query("SELECT COUNT(*) FROM rudder.rudder_discards") == [(0,)]


def test_a_later_file_adds_a_column_and_a_file_without_one_leaves_it_null(project):
    header = ["id", "timestamp", "received_at", "cart_id", "price", "quantity"]
    first = project.write("b1/product_added.csv", csv_text(header, ["p1", T1, T1, "c1", "9.5", "2"]))
    loaded(project, first)
    # the second file has two new properties and no price: the table gains coupon (a string,
    # as schema.py declares it) and gift_wrap (typed by its first value: the first row has
    # none), earlier rows keep NULL there, and the new rows' price is NULL
    later = project.write("b2/product_added.csv", csv_text(
        ["id", "timestamp", "received_at", "cart_id", "quantity", "coupon", "gift_wrap"],
        ["p2", T2, T2, "c2", "1", "", "true"], ["p3", T2, T2, "c2", "3", "SPRING", ""]))
    out = loaded(project, later)
    assert "new columns: coupon, gift_wrap" in out
    types = column_types(project, "product_added")
    assert types["price"] == "double" or types["price"] == "double precision"
    assert types["coupon"] in ("varchar", "character varying") and types["gift_wrap"] == "boolean"
    assert project.query("SELECT id, cart_id, price, quantity, coupon, gift_wrap FROM rudder.product_added "
                         "ORDER BY id") == [
        ("p1", "c1", 9.5, 2, None, None),
        ("p2", "c2", None, 1, None, True),
        ("p3", "c2", None, 3, "SPRING", None),
    ]


def test_new_property_columns_are_typed_by_their_first_value(project):
    header = ["id", "received_at", "signup_at", "age", "score", "vip", "zip", "note", "empty_so_far"]
    path = project.write("custom_event.csv", csv_text(
        header,
        ["e1", T1, "", "", "", "", "", "", ""],  # no value yet: the next rows' type them
        ["e2", T1, "2024-02-29", "41", "-1.5e3", "", "01234", "12 apples", ""],
        ["e3", T1, "2024-03-01T10:00:00+01:00", "7", "2", "FALSE", "99", "x", ""]))
    loaded(project, path)
    types = column_types(project, "custom_event")
    assert types["signup_at"].startswith("timestamp") and types["age"] == "bigint"
    assert types["score"] in ("double", "double precision") and types["vip"] == "boolean"
    # not a JSON number (a leading zero): a string, and 99 later is kept as its text
    assert types["zip"] in ("varchar", "character varying") and types["note"] in ("varchar", "character varying")
    # a column with no value in any row is not created (RudderStack creates columns from values)
    assert "empty_so_far" not in types
    assert project.query("SELECT id, signup_at, age, score, vip, zip, note FROM rudder.custom_event ORDER BY id") == [
        ("e1", None, None, None, None, None, None),
        ("e2", datetime(2024, 2, 29), 41, -1500.0, None, "01234", "12 apples"),
        ("e3", datetime(2024, 3, 1, 9), 7, 2.0, False, "99", "x"),
    ]


def test_a_header_only_file_creates_its_table_and_loads_nothing(project):
    path = project.write("drop/aliases.csv", csv_text(["id", "timestamp", "received_at", "user_id", "previous_id"]))
    result = sluice_load(project, path.parent)
    assert result.returncode == 0, result.stderr
    assert "loaded 1 file in 1 load: 0 rows, 0 rejected" in result.stdout
    assert set(column_types(project, "aliases")) == {"id", "timestamp", "received_at", "user_id", "previous_id",
                                                     "uuid_ts"}
    assert project.query("SELECT COUNT(*) FROM rudder.aliases") == [(0,)]


def test_schema_and_column_names_are_folded(project):
    path = project.write("drop/Pages.csv", csv_text(["ID", "Received_At", "Title"], ["g1", T1, "Home"]))
    loaded(project, path.parent, "--var", "rs_schema=Web_Source")
    assert project.query("SELECT id, received_at, title FROM web_source.pages") == [
        ("g1", datetime(2024, 3, 1, 10), "Home")]


def test_entropy_suffixes_the_tables_as_the_modules_name_them(project):
    path = project.write("tracks.csv", csv_text(["id", "received_at", "n"], ["t1", T1, "x"]))
    loaded(project, path, "--var", "entropy=_dev")
    assert project.query("SELECT id, n FROM rudder.tracks_dev") == [("t1", "x")]
    assert project.query("SELECT COUNT(*) FROM rudder.rudder_discards_dev") == [(0,)]


def test_a_table_made_elsewhere_gets_the_columns_every_row_needs(project):
    with project.target() as target:
        target.connect().execute("CREATE SCHEMA rudder; CREATE TABLE rudder.tracks (id VARCHAR, note VARCHAR)")
    path = project.write("tracks.csv", csv_text(["id", "received_at", "note"], ["t1", T1, "x"]))
    out = loaded(project, path)
    assert "new columns: received_at, uuid_ts" in out
    assert project.query("SELECT id, received_at, note, uuid_ts IS NOT NULL FROM rudder.tracks") == [
        ("t1", datetime(2024, 3, 1, 10), "x", True)]


def test_a_header_with_a_name_that_is_no_identifier_fails_the_file(project):
    path = project.write("tracks.csv", csv_text(["id", "received at"], ["t1", T1]))
    result = sluice_load(project, path)
    assert result.returncode == 1
    assert "column 'received at' is not a valid identifier" in result.stderr
    assert "nothing of this file was loaded" in result.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("id,ID,received_at\nt1,t2,x\n", "column(s) id appear more than once in the header"),
    ("", "no header row"),
])
def test_a_file_without_a_usable_header_fails(project, text, message):
    path = project.write("tracks.csv", text)
    result = sluice_load(project, path)
    assert result.returncode == 1
    assert message in result.stderr and "nothing of this file was loaded" in result.stderr


# -- uuid_ts ----------------------------------------------------------------------------------
def test_uuid_ts_is_kept_when_the_file_has_it_and_stamped_once_per_load_when_not(project):
    header = ["id", "timestamp", "received_at"]
    project.write("batches/batch-0001/tracks.csv", csv_text([*header, "uuid_ts"], ["t1", T1, T1, LOADED],
                                                            ["t2", T1, T1, ""]))
    project.write("batches/batch-0001/pages.csv", csv_text(header, ["g1", T1, T1], ["g2", T2, T2]))
    project.write("batches/batch-0002/tracks.csv", csv_text(header, ["t3", T2, T2]))
    before = utc_now() - timedelta(seconds=1)
    loaded(project, project.root / "batches")
    after = utc_now() + timedelta(seconds=1)
    tracks = dict(project.query("SELECT id, uuid_ts FROM rudder.tracks"))
    pages = dict(project.query("SELECT id, uuid_ts FROM rudder.pages"))
    assert tracks["t1"] == datetime(2024, 3, 2)  # kept
    # stamped with the load's time: one value for every row of batch 1, tracks and pages alike
    assert tracks["t2"] == pages["g1"] == pages["g2"]
    assert before <= tracks["t2"] <= after
    # the next batch is the next load, stamped after it
    assert tracks["t2"] < tracks["t3"] <= after
    assert project.query("SELECT COUNT(*) FROM rudder.tracks WHERE uuid_ts IS NULL") == [(0,)]


def test_a_64_bit_session_id_survives(project):
    path = project.write("tracks.csv", csv_text(
        ["id", "received_at", "context_session_id"],
        ["t1", T1, "1709287200123"], ["t2", T1, "9223372036854775807"], ["t3", T1, "-9223372036854775808"]))
    loaded(project, path)
    assert project.query("SELECT id, context_session_id FROM rudder.tracks ORDER BY id") == [
        ("t1", 1709287200123), ("t2", 2**63 - 1), ("t3", -(2**63))]


# -- rejects and discards ---------------------------------------------------------------------
def test_bad_rows_are_rejected_with_file_line_and_reason_and_good_rows_load(project):
    header = ["id", "timestamp", "original_timestamp", "sent_at", "received_at", "uuid_ts", "note"]
    text = csv_text(
        header,
        ["r1", T1, T1, T1, T1, LOADED, "fine"],                          # line 2
        ["", T1, T1, T1, T1, LOADED, "no id"],                           # line 3
        ["r3", "yesterday", T1, T1, T1, LOADED, "x"],                    # line 4
        ["r4", T1, "2024-02-30T10:00:00.000Z", T1, T1, LOADED, "x"],      # line 5
        ["r5", T1, T1, "2024-03-01 10:00:00 CET", T1, LOADED, "x"],       # line 6
        ["r6", T1, T1, T1, "1709287200", LOADED, "x"],                    # line 7
        ["r7", T1, T1, T1, T1, "now", "x"],                               # line 8
        ["r8", T1, T1, T1, T1, LOADED, "two\nlines"],                     # lines 9-10
    ) + "r9,too,few\n" + csv_text(header, ["r10", T1, "", "", T1, "", "last"]).split("\n", 1)[1]
    path = project.write("in/tracks.csv", text)
    result = sluice_load(project, path)
    assert result.returncode == 0, result.stderr
    rejects_file = path.parent / "tracks.csv.rejects.tsv"
    assert f"3 rows, 7 rejected (see {rejects_file})" in result.stdout
    assert project.query("SELECT id, note FROM rudder.tracks ORDER BY id") == [
        ("r1", "fine"), ("r10", "last"), ("r8", "two\nlines")]
    header_row, *rejected = read_rejects(rejects_file)
    assert header_row == ["file", "line", "reason"]
    assert rejected == [
        [str(path), "3", "missing id"],
        [str(path), "4", "timestamp: not a timestamp: 'yesterday'"],
        [str(path), "5", "original_timestamp: not a timestamp: '2024-02-30T10:00:00.000Z'"],
        [str(path), "6", "sent_at: not a timestamp: '2024-03-01 10:00:00 CET'"],
        [str(path), "7", "received_at: not a timestamp: '1709287200'"],
        [str(path), "8", "uuid_ts: not a timestamp: 'now'"],
        [str(path), "11", "3 fields, expected 7"],
    ]


def test_an_empty_field_is_null_quoted_or_not(project):
    path = project.write("tracks.csv", f'id,received_at,note,title\nt1,{T1},"",x\n"",{T1},a,b\nt3,{T1},z,""\n')
    assert "2 rows, 1 rejected" in loaded(project, path)
    assert project.query("SELECT id, note, title FROM rudder.tracks ORDER BY id") == [("t1", None, "x"),
                                                                                     ("t3", "z", None)]


def test_a_file_without_any_good_row_fails_the_command(project):
    project.write("drop/tracks.csv", csv_text(["id", "received_at"], ["", T1], ["", T2]))
    project.write("drop/pages.csv", csv_text(["id", "received_at"], ["g1", T1]))
    result = sluice_load(project, project.root / "drop")
    assert result.returncode == 1
    assert "every record of" in result.stderr and "tracks.csv was rejected" in result.stderr
    # the other file of the load is loaded all the same
    assert project.query("SELECT id FROM rudder.pages") == [("g1",)]


def test_a_value_that_does_not_fit_its_column_is_null_and_discarded(project):
    header = ["id", "received_at", "uuid_ts", "price", "quantity", "context_session_start", "order_date"]
    first = project.write("b1/product_added.csv", csv_text(header, ["p1", T1, LOADED, "9.5", "2", "true", T1]))
    loaded(project, first)
    later = project.write("b2/product_added.csv", csv_text(
        header,
        ["p2", T2, "", "NA", "1.5", "yes", "2024-03-01"],
        ["p3", T2, LOADED, "10", "3", "t", "05/25/2020"]))
    out = loaded(project, later)
    assert "2 rows, 0 rejected, 4 discarded" in out
    assert project.query("SELECT id, price, quantity, context_session_start, order_date FROM rudder.product_added "
                         "ORDER BY id") == [
        ("p1", 9.5, 2, True, datetime(2024, 3, 1, 10)),
        ("p2", None, None, None, datetime(2024, 3, 1)),
        ("p3", 10.0, 3, True, None),
    ]
    stamp = project.query("SELECT uuid_ts FROM rudder.product_added WHERE id = 'p2'")[0][0]
    got = project.query("SELECT row_id, table_name, column_name, column_value, reason, received_at, uuid_ts "
                        "FROM rudder.rudder_discards ORDER BY row_id, column_name")
    received = datetime(2024, 3, 1, 10, 5, 0, 250000)
    assert got == [
        ("p2", "product_added", "context_session_start", "yes", "incompatible schema conversion from boolean to string",
         received, stamp),
        ("p2", "product_added", "price", "NA", "incompatible schema conversion from float to string", received, stamp),
        ("p2", "product_added", "quantity", "1.5", "incompatible schema conversion from int to float", received,
         stamp),
        ("p3", "product_added", "order_date", "05/25/2020", "incompatible schema conversion from datetime to string",
         received, datetime(2024, 3, 2)),
    ]


def test_a_failing_file_leaves_nothing_of_itself_and_keeps_earlier_files(project):
    with project.target() as target:
        target.connect().execute("CREATE SCHEMA rudder; CREATE TABLE rudder.tracks (id VARCHAR CHECK (id <> 'bad'), "
                                 "received_at TIMESTAMP, uuid_ts TIMESTAMP)")
    project.write("drop/pages.csv", csv_text(["id", "received_at"], ["g1", T1]))
    project.write("drop/tracks.csv", csv_text(["id", "received_at", "coupon"], ["t1", T1, "c"], ["bad", T1, "c"]))
    result = sluice_load(project, project.root / "drop")
    assert result.returncode != 0
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message, message
    assert "tracks.csv" in message and "nothing of this file was loaded" in message
    assert "1 earlier file(s) stay loaded" in message
    assert project.query("SELECT id FROM rudder.pages") == [("g1",)]
    assert project.query("SELECT COUNT(*) FROM rudder.tracks") == [(0,)]
    assert "coupon" not in column_types(project, "tracks")  # the column it added is gone with it


# -- folders ----------------------------------------------------------------------------------
def test_a_folder_of_batch_folders_loads_each_in_name_order(project):
    project.write("rs/batch-0002/tracks.csv", csv_text(["id", "received_at"], ["t2", T2]))
    project.write("rs/batch-0001/tracks.csv", csv_text(["id", "received_at"], ["t1", T1]))
    project.write("rs/batch-0001/rudder_discards.csv", csv_text(["row_id"], ["x"]))
    project.write("rs/batch-0001/notes.txt", "not a table")
    out = loaded(project, project.root / "rs")
    files = [line.split(":")[0] for line in out.splitlines() if line.startswith(str(project.root))]
    assert [Path(f).relative_to(project.root / "rs").as_posix() for f in files] == [
        "batch-0001/tracks.csv", "batch-0002/tracks.csv"]
    assert "rudder_discards.csv: skipped" in out
    assert "loaded 2 files in 2 loads: 2 rows" in out


def test_a_folder_of_files_and_batch_folders_is_refused(project):
    project.write("rs/tracks.csv", csv_text(["id"], ["t1"]))
    project.write("rs/batch-0001/tracks.csv", csv_text(["id"], ["t2"]))
    result = sluice_load(project, project.root / "rs")
    assert result.returncode == 1 and "holds both CSV files and batch folders" in result.stderr


def test_format_is_for_snowplow_files_only(project):
    path = project.write("tracks.csv", csv_text(["id"], ["t1"]))
    result = sluice_load(project, path, "--format", "csv")
    assert result.returncode == 1
    assert "--format applies to --source snowplow only" in result.stderr


def records_in(path: Path) -> int:
    with open(path, newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def test_the_generators_batches_load_one_after_the_other(project):
    made = invoke(project.root, "generate", "--source", "rudderstack", "--out", "gen", "--visitors", "50",
                  "--days", "3", "--batches", "4")
    assert made.returncode == 0, made.stderr
    batches = sorted((project.root / "gen").glob("batch-*"))
    assert len(batches) == 4
    totals: dict[str, int] = {}
    for batch in batches:
        in_files = {path.stem: records_in(path) for path in sorted(batch.glob("*.csv"))}
        out = loaded(project, batch)
        assert f"{sum(in_files.values())} rows, 0 rejected, 0 values discarded" in out
        listed = out.rsplit("tables: ", 1)[1].split(";")[0].split(", ")
        assert dict((t, int(n)) for t, n in (item.split() for item in listed)) == in_files
        assert not (project.root / "gen" / f"{batch.name}.rejects.tsv").exists()
        for table, rows in in_files.items():
            totals[table] = totals.get(table, 0) + rows
    for table, rows in totals.items():
        assert project.query(f"SELECT COUNT(*), COUNT(uuid_ts), COUNT(id) FROM rudder.{table}") == [
            (rows, rows, rows)], table
    # the declared types, whatever batch brought the column
    types = column_types(project, "order_completed")
    assert types["total"] in ("double", "double precision") and types["context_session_id"] == "bigint"
    assert project.query("SELECT COUNT(*) FROM rudder.rudder_discards") == [(0,)]


def test_the_generators_batches_load_in_one_command(project, tmp_path):
    config = GenerateConfig(seed=3, visitors=50, days=3, batches=4, batches_without_uuid_ts=(2,))
    counts = write_batches(generate(config), tmp_path / "gen", config.batches)
    out = loaded(project, tmp_path / "gen")
    assert f"in 4 loads: {sum(sum(rows) for rows in counts.values())} rows, 0 rejected, 0 values discarded" in out
    # one stamp per load: the batch that leaves uuid_ts out (the second) gets one value
    stamped = project.query("SELECT COUNT(DISTINCT uuid_ts) FROM rudder.tracks WHERE uuid_ts > '2025-01-01'")
    assert stamped == [(1,)]


@pytest.mark.parametrize("chunk", [200, 1 << 20])
def test_chunks_keep_lines_and_first_values(project, monkeypatch, chunk):
    """Small chunks: records, rejects and the first value of a column spread over several."""
    from sluice.events.rudderstack import load_read

    monkeypatch.setattr(load_read, "CHUNK_BYTES", chunk)
    rows = [[f"t{n:02}", T1, "" if n < 6 else str(n), "x\ny" if n == 3 else "v"] for n in range(12)]
    rows[8][0] = ""
    path = project.write("tracks.csv", csv_text(["id", "received_at", "late_number", "text"], *rows))
    out = loaded(project, path)
    assert "11 rows, 1 rejected" in out
    assert read_rejects(Path(f"{path}.rejects.tsv"))[1][1:] == ["11", "missing id"]
    assert column_types(project, "tracks")["late_number"] == "bigint"
    assert project.query("SELECT COUNT(late_number), SUM(late_number) FROM rudder.tracks") == [(5, 6 + 7 + 9 + 10 + 11)]
