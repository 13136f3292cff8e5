"""`sluice load` where the warehouse does the typing: what it could get wrong, on DuckDB and
PostgreSQL alike. Every value rule of every type, every way a context can be refused, the
shapes files come in, rejects across chunks, and the portable path Redshift takes.

Expected values are worked out by hand: a timestamp with an offset is moved to UTC, a
decimal is rounded to cents half away from zero, a JSON number in a text property is kept
as its text.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from decimal import Decimal

import pytest

from sluice.config import load_project
from sluice.events.snowplow import load as loader
from sluice.events.snowplow import load_read
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, IAB, UA_PARSER, WEB_PAGE
from tests.integration.test_load import (
    BAD_ROWS,
    CONTEXTS_URI,
    IAB_DATA,
    IAB_URI,
    SAMPLE,
    T0,
    UA_DATA,
    UA_URI,
    WEB_PAGE_URI,
    event,
    loaded,
    read_rejects,
    rows,
    sample_csv,
    sd,
    sluice_load,
    tsv,
)

REJECT = object()  # stands for "this text is rejected" in VALUES; the reason is the third item

#: (column, text, loaded value, or REJECT and the reason the rejects file gives)
VALUES = [
    ("dvce_created_tstamp", "2024-03-01 10:00:00.123", datetime(2024, 3, 1, 10, 0, 0, 123000)),
    ("dvce_created_tstamp", "2024-03-01T10:00:00Z", datetime(2024, 3, 1, 10)),
    ("dvce_created_tstamp", "2024-03-01 12:00:00.1234567+02:00", datetime(2024, 3, 1, 10, 0, 0, 123456)),
    ("dvce_created_tstamp", "2024-03-01T10:00:00.5-0130", datetime(2024, 3, 1, 11, 30, 0, 500000)),
    ("dvce_created_tstamp", "2024-03-01 10:00:00 UTC", datetime(2024, 3, 1, 10)),
    ("dvce_created_tstamp", "2024-03-01 10:00", datetime(2024, 3, 1, 10)),
    ("dvce_created_tstamp", "yesterday", REJECT, "dvce_created_tstamp: not a timestamp: 'yesterday'"),
    ("dvce_created_tstamp", "epoch", REJECT, "dvce_created_tstamp: not a timestamp: 'epoch'"),
    ("dvce_created_tstamp", "2024-02-30 10:00:00", REJECT, "dvce_created_tstamp: not a timestamp"),
    ("dvce_created_tstamp", "2024-03-01", REJECT, "dvce_created_tstamp: not a timestamp"),
    ("dvce_created_tstamp", "2024-03-01 10:00:00 CET", REJECT, "dvce_created_tstamp: not a timestamp"),
    ("domain_sessionidx", " 12 ", 12),
    ("domain_sessionidx", "+7", 7),
    ("domain_sessionidx", "-9223372036854775808", -(2**63)),
    ("domain_sessionidx", "1.5", REJECT, "domain_sessionidx: not an integer: '1.5'"),
    ("domain_sessionidx", "1e5", REJECT, "domain_sessionidx: not an integer: '1e5'"),
    ("domain_sessionidx", "0x10", REJECT, "domain_sessionidx: not an integer: '0x10'"),
    ("domain_sessionidx", "1_000", REJECT, "domain_sessionidx: not an integer: '1_000'"),
    ("domain_sessionidx", "9223372036854775808", REJECT, "domain_sessionidx: integer out of range"),
    ("geo_latitude", "-1e-3", -0.001),
    ("geo_latitude", "NaN", REJECT, "geo_latitude: not a finite number: 'NaN'"),
    ("geo_latitude", "inf", REJECT, "geo_latitude: not a finite number: 'inf'"),
    ("geo_latitude", "1e400", REJECT, "geo_latitude: not a finite number: '1e400'"),
    ("geo_latitude", "1_0", REJECT, "geo_latitude: not a number: '1_0'"),
    ("tr_total", "-0.005", Decimal("-0.01")),
    ("tr_total", "1e3", Decimal("1000.00")),
    ("tr_total", "9999999999999999.99", Decimal("9999999999999999.99")),
    ("tr_total", "9999999999999999.995", REJECT, "tr_total: not a DECIMAL(18, 2): '9999999999999999.995'"),
    ("tr_total", "1e20", REJECT, "tr_total: not a DECIMAL(18, 2): '1e20'"),
    ("tr_total", "NaN", REJECT, "tr_total: not a DECIMAL(18, 2): 'NaN'"),
    ("br_cookies", "TRUE", True),
    ("br_cookies", "F", False),
    ("br_cookies", "on", REJECT, "br_cookies: not a boolean: 'on'"),
    ("br_cookies", "2", REJECT, "br_cookies: not a boolean: '2'"),
]


def _values_file(project):
    """One event per case, line n + 1 holding case n; event ids v00, v01..."""
    events = [event(f"v{n:02}", **{column: text}) for n, (column, text, *_) in enumerate(VALUES)]
    return project.write("values.tsv", tsv(events))


def test_each_type_loads_what_casts_and_rejects_the_rest(project):
    path = _values_file(project)
    out = loaded(project, str(path))
    refused = [(n, case[3]) for n, case in enumerate(VALUES) if case[2] is REJECT]
    assert f"{len(VALUES) - len(refused)} rows, {len(refused)} rejected" in out
    got = {line: reason for _, line, reason in read_rejects(path.parent / "values.tsv.rejects.tsv")[1:]}
    for n, reason in refused:
        assert got.pop(str(n + 1)).startswith(reason), (VALUES[n], got)
    assert not got
    for n, (column, text, value, *_) in enumerate(VALUES):
        if value is not REJECT:
            assert rows(project, f"SELECT {column} FROM atomic.events WHERE event_id = 'v{n:02}'") == [(value,)], text


WEB = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
UNKNOWN = "iglu:com.acme/thing/jsonschema/1-0-0"


def _envelope(*items) -> str:
    return json.dumps({"schema": CONTEXTS_URI, "data": list(items)})


#: (column, its text, the rejects file's reason, or None when the row loads)
ENVELOPES = [
    ("contexts", "[1, 2]", "contexts: not a self-describing JSON of contexts"),
    ("contexts", '{"schema": "x"}', "contexts: not a self-describing JSON of contexts"),
    ("contexts", '{"data": {}}', "contexts: not a self-describing JSON of contexts"),
    ("contexts", '{"data": [{"data": {}}]}', "contexts: a context without a schema"),
    ("contexts", '{"data": [{"schema": 5, "data": {}}]}', "contexts: a context without a schema"),
    ("contexts", '{"data": [5]}', "contexts: a context without a schema"),
    ("contexts", _envelope({"schema": WEB, "data": "pv1"}), f"{WEB_PAGE.table}: the context's data is not"),
    ("contexts", _envelope({"schema": WEB, "data": None}), f"{WEB_PAGE.table}: the context's data is not"),
    ("contexts", _envelope({"schema": WEB, "data": {"id": "a\u0000b"}}), f"{WEB_PAGE.table}.id: holds a NUL character"),
    ("contexts", '{"data": [{"schema": "' + WEB + '", "data": {"id": NaN}}]}', "contexts: not valid JSON"),
    ("derived_contexts", sd((IAB_URI, {**IAB_DATA, "spiderOrRobot": 5})),
     f"{IAB.table}.spider_or_robot: not a boolean: '5'"),
    # these load
    ("contexts", _envelope({"schema": UNKNOWN, "data": "not an object, but nobody reads it"}), None),
    ("contexts", '{"data": []}', None),
    ("derived_contexts", sd((IAB_URI, {**IAB_DATA, "spiderOrRobot": "TRUE"})), None),
    ("derived_contexts", sd((IAB_URI, {**IAB_DATA, "spiderOrRobot": None})), None),
    ("derived_contexts", sd((UA_URI, {**UA_DATA, "useragentMajor": 121})), None),
]


def test_contexts_that_do_not_load_reject_their_row(project):
    events = [event(f"x{n:02}", **{column: text}) for n, (column, text, _) in enumerate(ENVELOPES)]
    # a good web page and a bad IAB context: the row goes, and its web page with it
    events.append(event("x99", contexts=sd((WEB_PAGE_URI, {"id": "kept?"})),
                        derived_contexts=sd((IAB_URI, {"spiderOrRobot": "maybe"}))))
    path = project.write("contexts.tsv", tsv(events))
    loaded(project, str(path))
    expected = {str(n + 1): reason for n, (_, _, reason) in enumerate(ENVELOPES) if reason}
    expected[str(len(ENVELOPES) + 1)] = f"{IAB.table}.spider_or_robot: not a boolean: 'maybe'"
    got = {line: reason for _, line, reason in read_rejects(path.parent / "contexts.tsv.rejects.tsv")[1:]}
    assert set(got) == set(expected)
    for line, reason in expected.items():
        assert got[line].startswith(reason), (line, got[line], reason)

    assert rows(project, f"SELECT COUNT(*) FROM atomic.{WEB_PAGE.table}") == [(0,)]
    assert rows(project, f"SELECT root_id, spider_or_robot FROM atomic.{IAB.table} ORDER BY root_id") == [
        ("x13", True), ("x14", None)]
    assert rows(project, f"SELECT root_id, useragent_major, useragent_family FROM atomic.{UA_PARSER.table}") == [
        ("x15", "121", "Firefox")]


def test_a_bad_csv_context_column_rejects_its_row(project):
    text = sample_csv(SAMPLE)
    column = WEB_PAGE.csv_column("1_0_0")
    broken = text.replace('[{""id"": ""pv2""}]', "{not json", 1)
    assert broken != text
    path = project.write("export.csv", broken)
    out = loaded(project, str(path))
    assert "2 rows, 1 rejected" in out
    assert read_rejects(path.parent / "export.csv.rejects.tsv")[1][1:] == ["4", f"{column}: not valid JSON"]


def test_a_csv_context_column_may_hold_self_describing_items_and_nulls(project):
    header = ["event_id", "collector_tstamp", WEB_PAGE.csv_column("1_0_0")]
    wrapped = json.dumps([{"schema": WEB, "data": {"id": "w1"}}, None, {"id": "w2"}])
    lines = [",".join(header), f'e1,{T0},"{wrapped.replace(chr(34), chr(34) * 2)}"', f"e2,{T0},null"]
    path = project.write("wrapped.csv", "\n".join(lines) + "\n")
    assert "2 rows, 0 rejected" in loaded(project, str(path))
    assert rows(project, f"SELECT root_id, id FROM atomic.{WEB_PAGE.table} ORDER BY id") == [("e1", "w1"), ("e1", "w2")]


def test_file_shapes_gzip_header_only_empty_and_wrong_field_counts(project):
    drop = project.root / "drop"
    drop.mkdir()
    (drop / "a.csv.gz").write_bytes(gzip.compress(sample_csv(SAMPLE).encode()))
    (drop / "b.csv").write_text(sample_csv([]))  # a header and no record
    (drop / "c.tsv").write_text("")
    long_line = "\t".join(event("e9")[c] for c in ATOMIC_COLUMNS) + "\textra\n"
    (drop / "d.tsv").write_text(tsv(SAMPLE[:1]) + long_line)
    out = loaded(project, str(drop))
    assert "loaded 4 files: 4 rows, 1 rejected" in out
    assert read_rejects(project.root / "drop.rejects.tsv")[1][1:] == ["2", "132 fields, expected 131"]
    assert rows(project, "SELECT COUNT(*) FROM atomic.events") == [(4,)]
    assert rows(project, f"SELECT COUNT(*) FROM atomic.{WEB_PAGE.table}") == [(4,)]


def test_blank_lines_crlf_bom_carriage_returns_and_bad_utf8_keep_their_line_numbers(project):
    good = [line.encode() for line in tsv([event("e1"), event("e2"), event("e3"), event("e4")]).splitlines()]
    bad_id = tsv([event("")]).rstrip("\n").encode()
    text = (b"\xef\xbb\xbf" + good[0] + b"\r\n"         # 1: a byte order mark, CRLF
            + b"\r\n"                                   # 2: blank
            + good[1] + b"\r\n"                         # 3
            + bad_id + b"\r\n"                          # 4: missing event_id
            + good[2].replace(b"Mozilla", b"Moz\rilla") + b"\n"  # 5: a carriage return inside
            + good[3].replace(b"Mozilla", b"Moz\xffilla") + b"\n"  # 6: not UTF-8
            + b"\n"                                     # 7: blank
            + tsv([event("e5")]).rstrip("\n").encode())  # 8: no newline at the end
    path = project.root / "mixed.tsv"
    path.write_bytes(text)
    out = loaded(project, str(path))
    assert "3 rows, 3 rejected" in out
    assert [r[1:] for r in read_rejects(project.root / "mixed.tsv.rejects.tsv")[1:]] == [
        ["4", "missing event_id"], ["5", "holds a carriage return"], ["6", "not UTF-8 text"]]
    assert rows(project, "SELECT event_id FROM atomic.events ORDER BY event_id") == [("e1",), ("e2",), ("e5",)]


def test_rejects_in_a_csv_with_line_breaks_inside_fields_name_the_first_line_of_the_record(project):
    header = ["event_id", "collector_tstamp", "page_title", "domain_sessionidx"]
    text = "\r\n".join([
        ",".join(header),                              # 1
        f'e1,{T0},"two\nlines",1',                     # 2-3
        f'e2,{T0},"three\n\nlines",x',                 # 4-6: not an integer
        "",                                            # 7: blank
        "e3,not a time,plain,1",                       # 8
        "short,row",                                   # 9
        f'e4,{T0},"""quoted""",2',                     # 10
    ]) + "\r\n"
    path = project.write("multi.csv", text)
    out = loaded(project, str(path))
    assert "2 rows, 3 rejected" in out
    assert [r[1:] for r in read_rejects(project.root / "multi.csv.rejects.tsv")[1:]] == [
        ["4", "domain_sessionidx: not an integer: 'x'"],
        ["8", "collector_tstamp: not a timestamp: 'not a time'"],
        ["9", "2 fields, expected 4"]]
    assert rows(project, "SELECT event_id, page_title FROM atomic.events ORDER BY event_id") == [
        ("e1", "two\nlines"), ("e4", '"quoted"')]


def test_a_file_whose_every_record_is_rejected_fails_the_command(project):
    path = project.write("bad.tsv", tsv([event(""), event("", T0)]))
    result = sluice_load(project, str(path))
    assert result.returncode == 1
    assert "0 rows, 2 rejected" in result.stdout
    assert result.stderr.strip() == (f"sluice: error: every record of {path} was rejected "
                                     f"(see {project.root / 'bad.tsv.rejects.tsv'})")


def test_rejects_across_chunks_both_the_shape_and_the_values(project, monkeypatch):
    """Chunks of a few lines: a chunk with a bad field count is checked line by line, and on
    PostgreSQL one with a bad value has its refused rows looked for, in more than one chunk."""
    events = [event(f"k{n:02}", contexts=sd((WEB_PAGE_URI, {"id": f"p{n}"}))) for n in range(14)]
    lines = tsv(events).splitlines(keepends=True)
    lines[2] = "too\tfew\tfields\n"
    events[5]["domain_sessionidx"] = "five"
    events[9]["geo_latitude"] = "NaN"
    lines[5], lines[9] = tsv([events[5]]), tsv([events[9]])
    lines[12] = lines[12].replace("\t", "\t\t", 1)
    monkeypatch.setattr(load_read, "CHUNK_BYTES", 3 * len(lines[0]))
    path = project.write("chunks.tsv", "".join(lines))
    summary = loader.load_events(load_project(project.root), None, {}, path)
    assert (summary.rows, summary.rejected, summary.contexts[WEB_PAGE.table]) == (10, 4, 10)
    assert [r[1:] for r in read_rejects(summary.rejects_file)[1:]] == [
        ["3", "3 fields, expected 131"], ["6", "domain_sessionidx: not an integer: 'five'"],
        ["10", "geo_latitude: not a finite number: 'NaN'"], ["13", "132 fields, expected 131"]]
    assert rows(project, "SELECT COUNT(*), COUNT(DISTINCT event_id) FROM atomic.events") == [(10, 10)]


def test_a_warehouse_failure_that_is_no_row_s_fault_fails_the_file(postgres_project):
    """A value too long for the table's column is a data error on PostgreSQL: the rows are
    checked one by one, none is at fault, and the file fails with the warehouse's message."""
    project = postgres_project
    with project.target() as target:
        session = target.connect()
        session.execute("CREATE SCHEMA atomic")
        session.execute(f"CREATE TABLE atomic.{WEB_PAGE.table} (root_id VARCHAR, root_tstamp TIMESTAMP, id VARCHAR(2))")
    path = project.write("events.tsv", tsv(SAMPLE))
    result = sluice_load(project, str(path))
    assert result.returncode == 6  # a query failed
    assert "value too long" in result.stderr and "nothing of this file was loaded" in result.stderr
    assert rows(project, "SELECT COUNT(*) FROM atomic.events") == [(0,)]


def test_the_portable_path_loads_what_the_warehouse_path_loads(postgres_project, monkeypatch):
    """Redshift types rows in Python and appends them with bulk_insert; run here on PostgreSQL."""
    project = postgres_project
    text = tsv(SAMPLE) + "".join(tsv([bad]) for bad, _ in BAD_ROWS)
    config = load_project(project.root)
    set_based = loader.load_events(config, None, {}, project.write("a/events.tsv", text))
    monkeypatch.setattr(loader, "WRITERS", {})
    portable = loader.load_events(config, None, {"input_schema": "portable"}, project.write("b/events.tsv", text))
    assert (portable.rows, portable.rejected, portable.contexts) == (set_based.rows, set_based.rejected,
                                                                    set_based.contexts)
    assert [r[1:] for r in read_rejects(portable.rejects_file)] == [r[1:] for r in read_rejects(set_based.rejects_file)]
    for table, key in (("events", "event_id"), (WEB_PAGE.table, "root_id"), (IAB.table, "root_id"),
                       (UA_PARSER.table, "root_id")):
        columns = ", ".join(ATOMIC_COLUMNS) if table == "events" else "*"
        assert rows(project, f"SELECT {columns} FROM portable.{table} ORDER BY {key}") == \
            rows(project, f"SELECT {columns} FROM atomic.{table} ORDER BY {key}"), table


@pytest.mark.parametrize("chunk_bytes", [1, 10**9])
def test_one_record_per_chunk_or_one_chunk(project, monkeypatch, chunk_bytes):
    monkeypatch.setattr(load_read, "CHUNK_BYTES", chunk_bytes)
    path = project.write("events.tsv", tsv(SAMPLE) + tsv([event("", T0)]))
    assert "3 rows, 1 rejected" in loaded(project, str(path))
    assert rows(project, f"SELECT COUNT(*) FROM atomic.{WEB_PAGE.table}") == [(3,)]


def test_a_chunk_of_nothing_but_bad_lines(project, monkeypatch):
    monkeypatch.setattr(load_read, "CHUNK_BYTES", 1)  # a chunk a line
    path = project.write("events.tsv", "too\tfew\n" + tsv(SAMPLE[:1]) + "a\x00b\n")
    out = loaded(project, str(path))
    assert "1 rows, 2 rejected" in out
    assert [r[1:] for r in read_rejects(project.root / "events.tsv.rejects.tsv")[1:]] == [
        ["1", "2 fields, expected 131"], ["3", "holds a NUL character"]]
