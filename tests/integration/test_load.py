"""`sluice load`: enriched TSV and CSV exports into the input tables, on DuckDB and PostgreSQL.

Runs the command line in-process, plus the loader and the `bulk_insert` hook directly where a
knob has to be turned.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sluice.config import load_project
from sluice.events.snowplow import load as loader
from sluice.events.snowplow import load_read, load_records
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, CONTEXTS, IAB, UA_PARSER, WEB_PAGE, YAUAA
from sluice.targets import Target
from tests.cli import Result, invoke

CONTEXTS_URI = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
WEB_PAGE_URI = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
IAB_URI = "iglu:com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0"
UA_URI = "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0"
YAUAA_URI = "iglu:nl.basjes/yauaa_context/jsonschema/1-0-4"
T0 = "2024-03-01 10:00:00.000"


# -- building input ---------------------------------------------------------------------------
def event(event_id: str, tstamp: str = T0, **fields: str) -> dict[str, str]:
    """One enriched event as {column: text}, a page view unless told otherwise."""
    unknown = set(fields) - set(ATOMIC_COLUMNS)
    assert not unknown, unknown
    row = dict.fromkeys(ATOMIC_COLUMNS, "")
    row.update(app_id="site", platform="web", event="page_view", event_name="page_view", event_id=event_id,
               etl_tstamp=tstamp, collector_tstamp=tstamp, dvce_created_tstamp=tstamp, dvce_sent_tstamp=tstamp,
               derived_tstamp=tstamp, domain_userid="u1", domain_sessionid="s1", domain_sessionidx="1",
               page_url="https://example.com/a", page_urlport="443", geo_latitude="51.5", br_features_pdf="1",
               br_cookies="0", tr_total="12.50", useragent="Mozilla/5.0")
    row.update(fields)
    return row


def sd(*contexts: tuple[str, dict]) -> str:
    return json.dumps({"schema": CONTEXTS_URI, "data": [{"schema": uri, "data": data} for uri, data in contexts]})


def tsv(rows: list[dict[str, str]]) -> str:
    return "".join("\t".join(r[c] for c in ATOMIC_COLUMNS) + "\n" for r in rows)


IAB_DATA = {"spiderOrRobot": False, "category": "BROWSER", "reason": "PASSED_ALL", "primaryImpact": "NONE"}
UA_DATA = {"useragentFamily": "Firefox", "useragentMajor": "121", "osFamily": "Linux", "deviceFamily": "Other"}
YAUAA_DATA = {"deviceClass": "Desktop", "agentName": "Firefox", "agentNameVersionMajor": "Firefox 121"}

#: a page view with every context, a page ping, a second page view without derived contexts
SAMPLE = [
    event("e1", contexts=sd((WEB_PAGE_URI, {"id": "pv1"})),
          derived_contexts=sd((IAB_URI, IAB_DATA), (UA_URI, UA_DATA), (YAUAA_URI, YAUAA_DATA),
                              ("iglu:com.acme/unknown/jsonschema/1-0-0", {"x": 1}))),
    event("e2", "2024-03-01 10:00:10.500", event="page_ping", event_name="page_ping", pp_xoffset_min="0",
          pp_xoffset_max="20", pp_yoffset_min="100", pp_yoffset_max="900", br_features_pdf="0", geo_latitude="",
          tr_total="", contexts=sd((WEB_PAGE_URI, {"id": "pv1"}))),
    event("e3", "2024-03-01 10:05:00.123", page_url="https://example.com/b?q=\"x\",y", user_id="ü-1",
          contexts=sd((WEB_PAGE_URI, {"id": "pv2"}))),
]


def sample_csv(rows: list[dict[str, str]]) -> str:
    """The same events the way a warehouse export has them: a header, columns in another
    order, contexts as JSON columns, timestamps with a zone, booleans spelled out."""
    columns = [c for c in reversed(ATOMIC_COLUMNS) if c not in ("contexts", "derived_contexts")]
    context_columns = {c: c.csv_column("1_0_0") for c in CONTEXTS}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*columns, *context_columns.values(), "load_tstamp"])
    for row in rows:
        shredded = {c: [] for c in CONTEXTS}
        for column in ("contexts", "derived_contexts"):
            for item in json.loads(row[column])["data"] if row[column] else []:
                context = next((c for c in CONTEXTS if c.matches(item["schema"])), None)
                if context:
                    shredded[context].append(item["data"])
        values = [_csv_value(c, row[c]) for c in columns]
        contexts = [_csv_context(c, shredded[c]) for c in CONTEXTS]
        writer.writerow([*values, *contexts, "2024-03-02 00:00:00"])
    return out.getvalue()


def _csv_value(column: str, text: str) -> str:
    if text and column.endswith("tstamp"):
        return text.replace(" ", "T") + "Z" if column == "collector_tstamp" else text + " UTC"
    if column.startswith("br_features") or column == "br_cookies":
        return {"1": "true", "0": "false"}.get(text, text)
    return text


def _csv_context(context, items: list[dict]) -> str:
    if not items:
        return ""
    # web pages as an array, the IAB context as a single object: both shapes occur in exports
    return json.dumps(items[0] if context is IAB else items)


# -- running ----------------------------------------------------------------------------------
def sluice_load(project, *args: str) -> Result:
    return invoke(project.root, "load", *args)


def loaded(project, *args: str) -> str:
    result = sluice_load(project, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def rows(project, sql: str) -> list[tuple]:
    return project.query(sql)


def read_rejects(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle, delimiter="\t"))


# -- tests ------------------------------------------------------------------------------------
def test_enriched_tsv_loads_events_and_contexts_with_their_types(project):
    path = project.write("in/events.tsv", tsv(SAMPLE))
    out = loaded(project, str(path))
    assert "loaded 1 file: 3 rows, 0 rejected" in out
    assert f"{WEB_PAGE.table} 3, {IAB.table} 1, {UA_PARSER.table} 1, {YAUAA.table} 1" in out

    got = rows(project, "SELECT event_id, collector_tstamp, event_name, domain_sessionidx, geo_latitude, "
                        "br_features_pdf, br_cookies, tr_total, pp_yoffset_max, page_url, user_id, se_category "
                        "FROM atomic.events ORDER BY event_id")
    assert got == [
        ("e1", datetime(2024, 3, 1, 10), "page_view", 1, 51.5, True, False, Decimal("12.50"), None,
         "https://example.com/a", None, None),
        ("e2", datetime(2024, 3, 1, 10, 0, 10, 500000), "page_ping", 1, None, False, False, None, 900,
         "https://example.com/a", None, None),
        ("e3", datetime(2024, 3, 1, 10, 5, 0, 123000), "page_view", 1, 51.5, True, False, Decimal("12.50"), None,
         'https://example.com/b?q="x",y', "ü-1", None),
    ]
    assert rows(project, f"SELECT root_id, root_tstamp, id FROM atomic.{WEB_PAGE.table} ORDER BY root_id") == [
        ("e1", datetime(2024, 3, 1, 10), "pv1"),
        ("e2", datetime(2024, 3, 1, 10, 0, 10, 500000), "pv1"),
        ("e3", datetime(2024, 3, 1, 10, 5, 0, 123000), "pv2"),
    ]
    assert rows(project, f"SELECT root_id, spider_or_robot, category, reason, primary_impact "
                         f"FROM atomic.{IAB.table}") == [("e1", False, "BROWSER", "PASSED_ALL", "NONE")]
    assert rows(project, f"SELECT root_id, useragent_family, useragent_major, useragent_minor, os_family "
                         f"FROM atomic.{UA_PARSER.table}") == [("e1", "Firefox", "121", None, "Linux")]
    assert rows(project, f"SELECT root_id, device_class, agent_name, agent_name_version_major, device_brand "
                         f"FROM atomic.{YAUAA.table}") == [("e1", "Desktop", "Firefox", "Firefox 121", None)]


def test_csv_with_json_context_columns_loads_the_same_as_tsv(project):
    loaded(project, str(project.write("events.tsv", tsv(SAMPLE))))
    out = loaded(project, str(project.write("export.csv", sample_csv(SAMPLE))), "--var", "input_schema=from_csv")
    assert "loaded 1 file: 3 rows, 0 rejected" in out
    assert "ignoring column(s) load_tstamp" in out

    columns = ", ".join(c for c in ATOMIC_COLUMNS if c not in ("contexts", "derived_contexts"))
    expected = rows(project, f"SELECT {columns} FROM atomic.events ORDER BY event_id")
    assert rows(project, f"SELECT {columns} FROM from_csv.events ORDER BY event_id") == expected
    assert rows(project, "SELECT COUNT(*) FROM from_csv.events WHERE contexts IS NULL") == [(3,)]
    for context in CONTEXTS:
        got, want = (rows(project, f"SELECT * FROM {schema}.{context.table} ORDER BY root_id")
                     for schema in ("from_csv", "atomic"))
        assert got == want, context.table


def test_loading_appends_batches(project):
    first = project.write("batch1.tsv", tsv(SAMPLE[:2]))
    second = project.write("batch2.tsv", tsv(SAMPLE[2:]))
    loaded(project, str(first))
    assert rows(project, "SELECT COUNT(*) FROM atomic.events") == [(2,)]
    loaded(project, str(second))
    assert rows(project, "SELECT event_id FROM atomic.events ORDER BY event_id") == [("e1",), ("e2",), ("e3",)]
    assert rows(project, f"SELECT COUNT(*) FROM atomic.{WEB_PAGE.table}") == [(3,)]
    # the same batch again is appended again: deduplication is the model's job (01-base)
    loaded(project, str(second))
    assert rows(project, "SELECT COUNT(*) FROM atomic.events WHERE event_id = 'e3'") == [(2,)]


BAD_ROWS = [
    (event("", "2024-03-01 11:00:00"), "missing event_id"),
    (event("b2", collector_tstamp=""), "missing collector_tstamp"),
    (event("b3", collector_tstamp="2024-13-01 11:00:00"), "collector_tstamp: not a timestamp: '2024-13-01 11:00:00'"),
    (event("b4", dvce_created_tstamp="yesterday"), "dvce_created_tstamp: not a timestamp: 'yesterday'"),
    (event("b5", domain_sessionidx="1.5"), "domain_sessionidx: not an integer: '1.5'"),
    (event("b6", page_urlport="99999999999999999999"), "page_urlport: integer out of range"),
    (event("b7", geo_latitude="north"), "geo_latitude: not a number: 'north'"),
    (event("b8", tr_total="12,50"), "tr_total: not a number: '12,50'"),
    (event("b9", br_features_pdf="yes"), "br_features_pdf: not a boolean: 'yes'"),
    (event("b10", contexts="{not json"), "contexts: not valid JSON"),
    (event("b11", derived_contexts=sd((IAB_URI, {"spiderOrRobot": "maybe"}))),
     f"{IAB.table}.spider_or_robot: not a boolean: 'maybe'"),
    (event("b12", user_id="a\x00b"), "holds a NUL character"),
]


def test_bad_rows_are_rejected_with_file_line_and_reason_while_good_rows_load(project):
    lines = [tsv([SAMPLE[0]])]
    for bad, _ in BAD_ROWS:
        lines.append(tsv([bad]))
    lines.append("too\tfew\tfields\n")
    lines.append(tsv([SAMPLE[2]]))
    path = project.write("in/mixed.tsv", "".join(lines))

    out = loaded(project, str(path))
    rejects_file = path.parent / "mixed.tsv.rejects.tsv"
    assert f"2 rows, {len(BAD_ROWS) + 1} rejected (see {rejects_file})" in out
    assert rows(project, "SELECT event_id FROM atomic.events ORDER BY event_id") == [("e1",), ("e3",)]
    # a rejected row leaves nothing behind, its contexts included
    assert rows(project, f"SELECT root_id FROM atomic.{WEB_PAGE.table} ORDER BY root_id") == [("e1",), ("e3",)]
    assert rows(project, f"SELECT COUNT(*) FROM atomic.{IAB.table}") == [(1,)]

    header, *rejected = read_rejects(rejects_file)
    assert header == ["file", "line", "reason"]
    expected = [*(reason for _, reason in BAD_ROWS), "3 fields, expected 131"]
    assert [r[1] for r in rejected] == [str(n) for n in range(2, 2 + len(expected))]
    assert {r[0] for r in rejected} == {str(path)}
    for (_, _, reason), wanted in zip(rejected, expected, strict=True):
        assert reason.startswith(wanted), (reason, wanted)


def test_rejects_go_where_told(project):
    path = project.write("events.tsv", tsv([SAMPLE[0], event("", T0)]))
    target = project.root / "out" / "bad.tsv"
    out = loaded(project, str(path), "--rejects", str(target))
    assert f"1 rejected (see {target})" in out
    assert read_rejects(target)[1] == [str(path), "2", "missing event_id"]
    assert not (project.root / "events.tsv.rejects.tsv").exists()


def test_csv_rows_are_checked_the_same_way(project):
    text = sample_csv(SAMPLE).splitlines()
    header = next(csv.reader([text[0]]))
    broken = next(csv.reader([text[1]]))
    broken[header.index("collector_tstamp")] = "not-a-time"
    out_rows = io.StringIO()
    csv.writer(out_rows).writerows([header, broken, next(csv.reader([text[2]])), ["short", "row"]])
    path = project.write("export.csv", out_rows.getvalue())
    out = loaded(project, str(path))
    assert "1 rows, 2 rejected" in out
    assert [r[1:] for r in read_rejects(Path(f"{path}.rejects.tsv"))[1:]] == [
        ["2", "collector_tstamp: not a timestamp: 'not-a-time'"], ["4", f"2 fields, expected {len(header)}"]]


def test_a_directory_loads_its_files_in_name_order(project):
    project.write("drop/10-late.tsv", tsv([event("e10", "2024-03-02 00:00:00")]))
    project.write("drop/02-second.csv", sample_csv(SAMPLE[1:2]))
    project.write("drop/01-first.tsv", tsv(SAMPLE[:1]))
    (project.root / "drop" / "03-third.tsv.gz").write_bytes(gzip.compress(tsv(SAMPLE[2:]).encode()))
    project.write("drop/README.txt", "not events")
    project.write("drop/old.tsv.rejects.tsv", "file\tline\treason\n")

    out = loaded(project, str(project.root / "drop"))
    drop = str(project.root / "drop")
    names = [line.split(":")[0].rsplit("/", 1)[-1] for line in out.splitlines() if line.startswith(drop)]
    assert names == ["01-first.tsv", "02-second.csv", "03-third.tsv.gz", "10-late.tsv"]
    assert "loaded 4 files: 4 rows, 0 rejected" in out
    assert rows(project, "SELECT event_id FROM atomic.events ORDER BY event_id") == [
        ("e1",), ("e10",), ("e2",), ("e3",)]


def test_a_failing_file_leaves_nothing_of_itself_and_keeps_earlier_files(project):
    project.write("drop/01.tsv", tsv([event("ok1")]))  # no web page context
    project.write("drop/02.tsv", tsv(SAMPLE))
    with project.target() as target:
        session = target.connect()
        session.execute("CREATE SCHEMA atomic")
        # a web-page table that refuses the second file's page views: its INSERT fails
        session.execute(f"CREATE TABLE atomic.{WEB_PAGE.table} (root_id VARCHAR, root_tstamp TIMESTAMP, "
                        "id VARCHAR CHECK (id <> 'pv2'))")

    result = sluice_load(project, str(project.root / "drop"))
    assert result.returncode != 0
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message, message
    assert "02.tsv" in message and "nothing of this file was loaded" in message
    assert "1 earlier file(s) stay loaded" in message
    assert rows(project, "SELECT event_id FROM atomic.events") == [("ok1",)]


def test_a_missing_path_is_one_line_and_exit_1(project):
    result = sluice_load(project, "nowhere/events.tsv")
    assert result.returncode == 1
    assert result.stderr.strip() == "sluice: error: nowhere/events.tsv: no such file or directory"


def test_a_file_of_unknown_kind_needs_format(project):
    path = project.write("events.txt", tsv(SAMPLE[:1]))
    result = sluice_load(project, str(path))
    assert result.returncode == 1 and "--format" in result.stderr
    assert "1 rows, 0 rejected" in loaded(project, str(path), "--format", "tsv")


def test_large_files_load_in_chunks_with_the_right_lines(project, monkeypatch):
    events = [event(f"c{i:02}", contexts=sd((WEB_PAGE_URI, {"id": f"p{i}"}))) for i in range(10)]
    events[4]["event_id"] = events[8]["event_id"] = ""
    monkeypatch.setattr(load_read, "CHUNK_BYTES", 2 * len(tsv(events[:1])))  # three lines a chunk
    path = project.write("events.tsv", tsv(events))
    summary = loader.load_events(load_project(project.root), None, {"entropy": "_x"}, path)
    assert (summary.rows, summary.rejected, summary.contexts[WEB_PAGE.table]) == (8, 2, 8)
    assert [r[1] for r in read_rejects(summary.rejects_file)[1:]] == ["5", "9"]
    assert rows(project, "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM atomic.events_x") == [(8, 8)]


TRICKY = [
    ("", None, "quote \" comma , tab \t newline \n backslash \\N", True, 1, 1.25, Decimal("-3.10"),
     datetime(2024, 1, 2, 3, 4, 5, 600000)),
    (None, "", "", False, -(2**63), -0.0, Decimal("9999999999999999.99"), datetime(1970, 1, 1)),
    ("ü €", "\\", "NULL", None, None, None, None, None),
    ("  padded  ", " ", "\r\n", True, 0, 1e300, Decimal("0.01"), datetime(2024, 2, 29, 23, 59, 59, 999999)),
]


def _tricky_table(session) -> None:
    session.execute("CREATE TABLE t (a VARCHAR, b VARCHAR, c VARCHAR, d BOOLEAN, e BIGINT, "
                    "f DOUBLE PRECISION, g DECIMAL(18, 2), h TIMESTAMP)")


def test_bulk_insert_keeps_every_value(project):
    with project.target() as target:
        session = target.connect()
        _tricky_table(session)
        assert target.bulk_insert(session, "t", list("abcdefgh"), iter(TRICKY)) == len(TRICKY)
        got = session.fetch("SELECT * FROM t").rows
    assert sorted(got, key=repr) == sorted(TRICKY, key=repr)


def test_the_portable_bulk_insert_redshift_uses(postgres_project):
    """Target's multi-row INSERT with %s parameters, run on PostgreSQL (no Redshift here),
    two rows per statement so the batching is exercised."""
    with postgres_project.target() as target:
        session = target.connect()
        _tricky_table(session)
        target.max_parameters = 16
        assert Target.bulk_insert(target, session, "t", list("abcdefgh"), iter(TRICKY)) == len(TRICKY)
        got = session.fetch("SELECT * FROM t").rows
    assert sorted(got, key=repr) == sorted(TRICKY, key=repr)


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-01 10:00:00.123", datetime(2024, 3, 1, 10, 0, 0, 123000)),
    ("2024-03-01 10:00:00", datetime(2024, 3, 1, 10)),
    ("2024-03-01T10:00:00.123Z", datetime(2024, 3, 1, 10, 0, 0, 123000)),
    ("2024-03-01 10:00:00.123456 UTC", datetime(2024, 3, 1, 10, 0, 0, 123456)),
    ("2024-03-01 12:00:00.1234567+02:00", datetime(2024, 3, 1, 10, 0, 0, 123456)),
    ("2024-03-01T10:00:00.5-0130", datetime(2024, 3, 1, 11, 30, 0, 500000)),
    ("2024-03-01 10:00", datetime(2024, 3, 1, 10)),
])
def test_timestamps_in_the_shapes_exports_write(text, expected):
    assert load_records.to_timestamp(text) == expected


@pytest.mark.parametrize("text", ["", "2024-02-30 10:00:00", "10:00:00", "2024-03-01 10:00:00 CET", "now"])
def test_what_is_not_a_timestamp(text):
    with pytest.raises(ValueError, match="not a timestamp"):
        load_records.to_timestamp(text)
