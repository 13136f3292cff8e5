"""`sluice load --source rudderstack` without a warehouse: which files make which load, how a
file becomes chunks (as read when every line is a record, else parsed record by record), the
kinds a column gets, and that the SQL each dialect is sent parses (Redshift's DDL included:
its rows go through the portable path, so nothing else of it runs here)."""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import pytest
import sqlglot

from sluice.config import LIFECYCLE_DEFAULTS, load_project
from sluice.errors import ArgumentError, SluiceError
from sluice.events.rudderstack import load as loader
from sluice.events.rudderstack import load_read, load_write
from sluice.events.rudderstack.load_sql import DuckDBValues, FileSql, PostgresValues
from sluice.events.rudderstack.load_values import BOOLEAN, DATETIME, FLOAT, INT, STRING, classify
from sluice.families import family
from sluice.render.renderer import Renderer
from sluice.render.variables import merge_variables


def chunks(tmp_path: Path, data: bytes, name: str = "tracks.csv", size: int = 1 << 20) -> tuple[tuple, list]:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with load_read.read_chunks(path, size) as (header, found):
        return header.names, list(found)


# -- files ------------------------------------------------------------------------------------
def test_loads_are_a_file_a_folder_or_its_batch_folders(tmp_path):
    for name in ("b/batch-0002/tracks.csv", "b/batch-0001/pages.csv.gz", "b/batch-0001/tracks.csv",
                 "b/batch-0001/README.txt", "b/batch-0001/x.rejects.tsv", "f/identifies.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("id\n")
    (tmp_path / "b" / "empty").mkdir()
    found = load_read.loads(tmp_path / "b")
    assert [(load.name, [p.name for p in load.files]) for load in found] == [
        ("batch-0001", ["pages.csv.gz", "tracks.csv"]), ("batch-0002", ["tracks.csv"])]
    assert [p.name for p in load_read.loads(tmp_path / "f")[0].files] == ["identifies.csv"]
    assert load_read.loads(tmp_path / "f" / "identifies.csv")[0].files == (tmp_path / "f" / "identifies.csv",)
    with pytest.raises(ArgumentError, match="no .csv files"):
        load_read.loads(tmp_path / "b" / "empty")
    with pytest.raises(ArgumentError, match="not a .csv"):
        load_read.loads(tmp_path / "b" / "batch-0001" / "README.txt")
    with pytest.raises(ArgumentError, match="no such file"):
        load_read.loads(tmp_path / "nowhere")


@pytest.mark.parametrize(("name", "table"), [
    ("tracks.csv", "tracks"), ("Order_Completed.CSV", "Order_Completed"), ("pages.csv.gz", "pages"),
    ("tracks.tsv", None), (".csv", None)])
def test_the_table_is_the_file_name(name, table):
    assert load_read.table_of(Path(name)) == table


def test_names_are_checked_and_folded():
    assert load_read.identifier("Context_IP", "column", "postgres") == "context_ip"
    with pytest.raises(SluiceError, match="not a valid identifier"):
        load_read.identifier("order-id", "column", "duckdb")
    with pytest.raises(SluiceError, match="longer than postgres's 63 bytes"):
        load_read.identifier("x" * 64, "column", "postgres")


# -- chunks -----------------------------------------------------------------------------------
def test_a_plain_file_goes_as_read_with_its_lines(tmp_path):
    data = b'\xef\xbb\xbfid,received_at,note\nt1,2024-03-01,"a, b"\nt2,2024-03-02,"say ""hi"""\nt3,,x'
    names, (chunk,) = chunks(tmp_path, data, "tracks.csv.gz")
    assert names == ("id", "received_at", "note")
    assert not chunk.checked and list(chunk.lines) == [2, 3, 4]
    assert chunk.text == b't1,2024-03-01,"a, b"\nt2,2024-03-02,"say ""hi"""\nt3,,x\n'


def test_a_file_with_carriage_returns_blank_lines_or_nul_is_parsed_record_by_record(tmp_path):
    # CRLF line ends, a blank line (no record), a NUL, a wrong field count
    _, (chunk,) = chunks(tmp_path, b"id,note\r\nt1,a\r\n\r\nt2,b\x00\r\nt3\r\nt4,c\r\n")
    assert chunk.checked and list(chunk.lines) == [2, 6]
    assert chunk.rejected == [(4, "holds a NUL character"), (5, "1 fields, expected 2")]
    assert chunk.text == b"t1,a\nt4,c\n"


def test_a_quoted_line_break_makes_the_warehouse_parse_it_record_by_record(tmp_path):
    _, (chunk,) = chunks(tmp_path, b'id,note\nt1,"a\nb"\nt2,c\n')
    # as read, its three lines stand for three records: the warehouse reads two and refuses it
    assert not chunk.checked and list(chunk.lines) == [2, 3, 4]
    strict = chunk.strict()
    assert list(strict.lines) == [2, 4] and strict.rejected == []
    assert list(strict.rows()) == [["t1", "a\nb"], ["t2", "c"]]


def test_a_chunk_never_ends_inside_quotes(tmp_path):
    rows = b"".join(b't%d,"line\none, two"\n' % n for n in range(6))
    _, found = chunks(tmp_path, b"id,note\n" + rows, size=10)
    assert [list(c.strict().lines) for c in found] == [[2], [4], [6], [8], [10], [12]]
    assert all(list(c.rows())[0][1] == "line\none, two" for c in found)


def test_a_plain_chunk_the_warehouse_refuses_is_parsed_then(tmp_path):
    _, (chunk,) = chunks(tmp_path, b"id,note\nt1,a\nt2\nt3,b,c\nt4,d\n")
    assert not chunk.checked  # no quote, no blank line: only the warehouse sees the field counts
    strict = chunk.strict()
    assert list(strict.lines) == [2, 5]
    assert strict.rejected == [(3, "1 fields, expected 2"), (4, "3 fields, expected 2")]
    with pytest.raises(SluiceError, match="refused lines 2-5 even after checking"):
        strict.strict()


def test_a_file_that_is_no_utf8_fails(tmp_path):
    _, (chunk,) = chunks(tmp_path, b"id\nt\xff1\n")
    with pytest.raises(SluiceError, match="not UTF-8 text near line 2"):
        chunk.strict()


# -- kinds ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("table", "column", "kind"), [
    ("tracks", "context_session_id", INT), ("tracks", "timestamp", DATETIME), ("order_completed", "total", FLOAT),
    ("identifies", "birthday", DATETIME), ("pages", "context_session_start", BOOLEAN),
    ("product_removed", "context_screen_width", INT),  # a table schema.py does not list: standard columns
    ("product_removed", "price", None), ("tracks", "coupon", None)])
def test_declared_kinds(table, column, kind):
    assert load_write.declared_kind(table, column) == kind


@pytest.mark.parametrize(("text", "kind"), [
    ("2024-03-01", DATETIME), ("2024-03-01T10:00:00.000Z", DATETIME), ("12", INT), ("-0", INT), ("1.5", FLOAT),
    ("1e21", FLOAT), ("99999999999999999999", FLOAT), ("true", BOOLEAN), ("False", BOOLEAN), ("t", STRING),
    ("012", STRING), ("[1, 2]", STRING), ('{"a": 1}', STRING)])
def test_a_first_value_types_its_column(text, kind):
    assert classify(text) == kind


@pytest.mark.parametrize(("data_type", "kind"), [
    ("VARCHAR", STRING), ("character varying", STRING), ("text", STRING), ("BIGINT", INT), ("integer", INT),
    ("DOUBLE", FLOAT), ("double precision", FLOAT), ("numeric", FLOAT), ("DECIMAL(18,2)", FLOAT),
    ("BOOLEAN", BOOLEAN), ("timestamp without time zone", DATETIME), ("TIMESTAMP WITH TIME ZONE", DATETIME),
    ("date", DATETIME), ("jsonb", STRING), ("SUPER", STRING)])
def test_a_column_the_table_has_keeps_its_type(data_type, kind):
    assert loader.kind_of_type(data_type) == kind


# -- SQL --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("dialect", "writer"), [
    ("duckdb", load_write.DuckDBWriter), ("postgres", load_write.PostgresWriter),
    ("redshift", load_write.PortableWriter)])
def test_each_dialect_gets_its_writer(dialect, writer):
    assert load_write.writer_for(dialect) is writer


class _Loader(loader.RudderLoader):
    """The loader's rendering, without a connection."""

    def __init__(self, project, dialect: str):  # noqa: D107 - no super(): nothing connects
        self.project = project
        self.variables = merge_variables(LIFECYCLE_DEFAULTS, family("rudderstack").variables, {})
        self.renderer = Renderer(dialect)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "redshift"])
def test_the_ddl_renders_and_parses(tmp_path, dialect):
    (tmp_path / "sluice.yml").write_text("targets: {t: {type: duckdb}}\n")
    rendering = _Loader(load_project(tmp_path), dialect)
    schema = rendering._render("01-schema.sql")
    assert [type(s).__name__ for s in sqlglot.parse(schema, read=dialect)] == ["Create", "Create"]
    columns = [("id", STRING), ("timestamp", DATETIME), ("event", STRING), ("context_session_id", INT),
               ("price", FLOAT), ("context_session_start", BOOLEAN), ("uuid_ts", DATETIME)]
    create = rendering.table_ddl("rudder.tracks", columns, exists=False)
    (statement,) = sqlglot.parse(create, read=dialect)
    assert [c.name for c in statement.this.expressions] == [name for name, _ in columns]
    widen = rendering.table_ddl("rudder.tracks", columns[3:5], exists=True)
    assert [type(s).__name__ for s in sqlglot.parse(widen, read=dialect)] == ["Alter", "Alter"]
    if dialect == "redshift":
        assert 'DISTKEY ("id")' in create and 'SORTKEY ("uuid_ts")' in create and "VARCHAR(4096)" in create
        assert "IF NOT EXISTS" not in widen


@pytest.mark.parametrize(("dialect", "values"), [("duckdb", DuckDBValues()), ("postgres", PostgresValues())])
def test_the_chunk_sql_parses(dialect, values):
    header = ["id", "timestamp", "received_at", "uuid_ts", "event", "price", "vip", "signup"]
    sql = FileSql(values, "stage", {n: f"c{i}" for i, n in enumerate(header, 1)}, "rudder.tracks", "tracks",
                  "rudder.rudder_discards", "CAST('2024-03-01 10:00:00' AS TIMESTAMP)")
    kinds = {"id": STRING, "timestamp": DATETIME, "received_at": DATETIME, "uuid_ts": DATETIME, "event": STRING,
             "price": FLOAT, "vip": BOOLEAN, "signup": DATETIME}
    statements = [sql.refused(), sql.first_ordinals(["price", "vip"]), sql.rows_at(["vip", "price"], [3, 5]),
                  sql.insert(kinds), sql.discarded(kinds)]
    if dialect == "postgres":
        statements += [sql.checked_insert(kinds), replace(sql, values=PostgresValues(True)).checked_insert(kinds)]
    for statement in statements:
        assert statement is not None
        sqlglot.parse_one(statement, read=dialect)
    assert sql.discarded({"id": STRING, "event": STRING}) is None  # strings take anything
