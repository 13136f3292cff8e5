"""`sluice load` without a warehouse: how files become chunks, which writer each target gets,
and that the SQL each writer sends parses in its dialect (Redshift included, whose load goes
through the portable path: its COPY reads S3, so nothing there runs here)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import sqlglot

from sluice.config import LIFECYCLE_DEFAULTS, load_project
from sluice.events.snowplow import load as loader
from sluice.events.snowplow import load_duckdb, load_postgres
from sluice.events.snowplow.load_read import Layout, read_chunks
from sluice.events.snowplow.load_write import PortableWriter, Tables
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, CONTEXTS, WEB_PAGE
from sluice.render.renderer import Renderer
from sluice.render.variables import merge_variables
from sluice.targets import make_target

LINE = "\t".join(f"v{n}" for n in range(len(ATOMIC_COLUMNS)))


def chunks(tmp_path: Path, data: bytes, name: str = "f.tsv", size: int = 1 << 20) -> list:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with read_chunks(path, "csv" if ".csv" in name else "tsv", size) as (_, found):
        return list(found)


@pytest.mark.parametrize(("data", "lines", "rejected", "checked"), [
    # a plain block goes as read, its lines counted
    (f"{LINE}\n{LINE}\n".encode(), [1, 2], [], False),
    # CRLF and a byte order mark are no reason to look closer; a missing last newline is added
    (f"\ufeff{LINE}\r\n{LINE}".encode(), [1, 2], [], False),
    # a NUL or a stray carriage return: every line is checked
    (f"{LINE}\na\x00b\n{LINE}\n".encode(), [1, 3], [(2, "holds a NUL character")], True),
    (f"{LINE}\nx\ry\n\n{LINE}\n".encode(), [1, 4], [(2, "holds a carriage return")], True),
])
def test_tsv_blocks(tmp_path, data, lines, rejected, checked):
    (chunk,) = chunks(tmp_path, data)
    assert (list(chunk.lines), chunk.rejected, chunk.checked) == (lines, rejected, checked)
    assert chunk.text.endswith(b"\n") and b"\r" not in chunk.text and not chunk.text.startswith(b"\xef")


def test_a_refused_block_checked_line_by_line_keeps_file_lines(tmp_path):
    text = f"{LINE}\n\nshort\tline\n{LINE}\n".encode() + b"\xff\xfe\n" + f"{LINE}\t\n".encode()
    (chunk,) = chunks(tmp_path, text)
    assert not chunk.checked  # nothing a whole-block check sees: the warehouse would refuse it
    strict = chunk.strict()
    assert list(strict.lines) == [1, 4]
    assert strict.rejected == [(3, "2 fields, expected 131"), (5, "not UTF-8 text"), (6, "132 fields, expected 131")]
    assert strict.text == f"{LINE}\n{LINE}\n".encode()


def test_chunks_end_on_whole_lines_and_number_on(tmp_path):
    found = chunks(tmp_path, f"{LINE}\n".encode() * 5, "f.tsv.gz", size=len(LINE) + 5)
    assert [list(c.lines) for c in found] == [[1, 2], [3, 4], [5]]
    assert all(c.text.count(b"\n") == len(c.lines) for c in found)


def test_csv_records_are_written_again_in_the_staged_order(tmp_path):
    header = f"collector_tstamp,nonsense,event_id,{WEB_PAGE.csv_column('1_0_1')}\n"
    text = header + 't1,x,e1,"[{""id"": ""a""}]"\n' + 't2,y,"e\n2",\n' + "only,two\n"
    (chunk,) = chunks(tmp_path, text.encode(), "f.csv")
    layout = chunk.layout
    assert layout.columns == (*ATOMIC_COLUMNS, "ctx_1") and layout.ignored == ("nonsense",)
    assert [(s.column, s.context, s.label) for s in layout.context_sources] == [
        ("ctx_1", WEB_PAGE, WEB_PAGE.csv_column("1_0_1"))]
    assert list(chunk.lines) == [2, 3] and chunk.rejected == [(5, "2 fields, expected 4")]
    first, second = chunk.rows()
    assert (first[ATOMIC_COLUMNS.index("event_id")], first[-1]) == ("e1", '[{"id": "a"}]')
    assert (second[ATOMIC_COLUMNS.index("event_id")], second[-1]) == ("e\n2", None)


def test_a_csv_header_must_name_the_event_keys(tmp_path):
    with pytest.raises(Exception, match="no event_id or collector_tstamp column"):
        chunks(tmp_path, b"a,b\n1,2\n", "f.csv")


@pytest.mark.parametrize(("dialect", "writer"), [
    ("duckdb", load_duckdb.DuckDBWriter), ("postgres", load_postgres.PostgresWriter), ("redshift", PortableWriter)])
def test_each_dialect_gets_its_writer(dialect, writer):
    assert loader.WRITERS.get(dialect, PortableWriter) is writer


def test_redshift_stages_no_text(tmp_path):
    pytest.importorskip("redshift_connector")
    target = make_target("t", {"type": "redshift", "host": "x"}, tmp_path)
    with pytest.raises(NotImplementedError, match="S3"):
        target.stage_text(None, "s", ["a"], b"", "tsv", 0)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "redshift"])
def test_the_input_tables_render_and_parse(tmp_path, dialect):
    (tmp_path / "sluice.yml").write_text("targets: {t: {type: duckdb}}\n")
    project = load_project(tmp_path)
    variables = merge_variables(LIFECYCLE_DEFAULTS, {}, {})
    ddl = loader.input_ddl(project, Renderer(dialect), variables)
    assert len(sqlglot.parse(ddl, read=dialect)) >= 1 + len(CONTEXTS)


TABLES = Tables.named("atomic", "")
LAYOUTS = {"tsv": Layout(), "csv": Layout.from_header(["event_id", "collector_tstamp", WEB_PAGE.csv_column()])}


@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_the_set_based_sql_parses(layout):
    sources = layout.context_sources
    for sql in [load_duckdb.check_rows("stage", sources), load_duckdb.insert_events("stage", TABLES.events),
                *(load_duckdb.insert_context(c, TABLES.contexts[c]) for c in CONTEXTS)]:
        sqlglot.parse_one(sql, read="duckdb")
    insert = load_postgres.ChunkSql("stage", TABLES, layout).insert()
    sqlglot.parse_one(insert.replace(":skip", "'{}'"), read="postgres")
