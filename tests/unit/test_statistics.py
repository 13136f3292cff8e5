"""Which tables a statement reads, writes and drops: what decides when PostgreSQL and Redshift
get fresh statistics (see runner/targets/statistics.py)."""

from __future__ import annotations

import pytest

from sluice.targets.statistics import Statistics, table_use, worth_analysing

CASES = [
    ("CREATE TABLE scratch.b AS WITH x AS (SELECT * FROM scratch.a) SELECT * FROM x JOIN derived.c ON TRUE",
     {"scratch.a", "derived.c"}, {"scratch.b"}, set()),
    ("INSERT INTO scratch.s (batch_id, id) SELECT 1, id FROM scratch.t", {"scratch.t"}, {"scratch.s"}, set()),
    # a DELETE or UPDATE scans its target: read as well as written
    ("DELETE FROM derived.pv WHERE id IN (SELECT id FROM scratch.pv_this_run)", {"scratch.pv_this_run", "derived.pv"},
     {"derived.pv"}, set()),
    ("UPDATE derived.u SET n = 1 WHERE id IN (SELECT id FROM Scratch.X)", {"scratch.x", "derived.u"}, {"derived.u"},
     set()),
    ("DROP TABLE IF EXISTS scratch.old", set(), set(), {"scratch.old"}),
    # a view holds no rows: neither read nor written by (re)creating it
    ("CREATE OR REPLACE VIEW derived.v AS SELECT * FROM derived.t", {"derived.t"}, set(), set()),
    ("CREATE TABLE IF NOT EXISTS scratch.e (batch_id BIGINT)", set(), set(), set()),  # empty: no rows
    ("SELECT COUNT(*) FROM derived.users", {"derived.users"}, set(), set()),
    ("this is not SQL at all (", set(), set(), set()),
]


@pytest.mark.parametrize(("sql", "reads", "writes", "drops"), CASES)
@pytest.mark.parametrize("dialect", ["postgres", "redshift"])
def test_table_use(sql, reads, writes, drops, dialect):
    use = table_use(sql, dialect)
    assert (set(use.reads), set(use.writes), set(use.drops)) == (reads, writes, drops)


def test_a_written_table_is_analysed_once_before_it_is_read_after_it_commits():
    stats, ran = Statistics("postgres"), []
    mine: dict[str, int] = {}
    stats.after(stats.before("CREATE TABLE s.a AS SELECT 1 AS x", mine, ran.append), mine)
    other: dict[str, int] = {}
    stats.before("SELECT * FROM s.a", other, ran.append)
    assert ran == []  # not committed yet: another session cannot see it
    stats.before("SELECT * FROM s.a", mine, ran.append)
    assert ran == ["ANALYZE s.a"]  # the writing session reads its own write
    stats.after(stats.before("INSERT INTO s.a SELECT 2", mine, ran.append), mine)
    stats.commit(mine)
    stats.before("SELECT * FROM s.a JOIN s.a AS b ON TRUE", other, ran.append)
    stats.before("SELECT * FROM s.a", other, ran.append)
    assert ran == ["ANALYZE s.a", "ANALYZE s.a"]
    stats.after(stats.before("DROP TABLE s.a", other, ran.append), other)
    assert stats.stale == {}


def test_a_write_that_changed_no_row_leaves_the_statistics_alone():
    stats, ran = Statistics("postgres"), []
    mine: dict[str, int] = {}
    stats.after(stats.before("DELETE FROM s.big WHERE id IN (SELECT id FROM s.gone)", mine, ran.append), mine, 0)
    stats.after(stats.before("INSERT INTO s.big SELECT * FROM s.new", mine, ran.append), mine, 0)
    stats.commit(mine)
    stats.before("SELECT * FROM s.big", mine, ran.append)
    assert ran == []
    stats.after(stats.before("INSERT INTO s.big SELECT * FROM s.new", mine, ran.append), mine, 3)
    stats.commit(mine)
    stats.before("SELECT * FROM s.big", mine, ran.append)
    assert ran == ["ANALYZE s.big"]


def test_a_write_earns_an_analyze_before_a_read_by_autovacuums_rule():
    # a new table has no statistics; 1% more rows in a large output leaves its count within a
    # tenth, and ANALYZE of a million rows reads most of its pages
    # (a table no larger than ANALYZE's sample, such as a staged table's batches, always is)
    planned = {"s.big": 1_000_000.0, "s.new": -1.0, "s.staged": 30_000.0}
    stats, ran = Statistics("postgres"), []
    mine: dict[str, int] = {}
    for table, rows in [("s.big", 10_000), ("s.new", 10), ("s.staged", 1)]:
        stats.after(stats.before(f"INSERT INTO {table} SELECT * FROM s.src", mine, ran.append, planned.get), mine, rows)
    stats.after(stats.before("DELETE FROM s.big WHERE id IN (SELECT id FROM s.gone)", mine, ran.append, planned.get),
                mine, 40_000)
    stats.before("SELECT * FROM s.big JOIN s.new ON TRUE JOIN s.staged ON TRUE", mine, ran.append, planned.get)
    assert ran == ["ANALYZE s.new", "ANALYZE s.staged"]
    stats.after(stats.before("INSERT INTO s.big SELECT * FROM s.src", mine, ran.append, planned.get), mine, 50_050)
    stats.commit(mine)
    stats.before("SELECT * FROM s.big", mine, ran.append, planned.get)
    assert ran == ["ANALYZE s.new", "ANALYZE s.staged", "ANALYZE s.big"]  # 100,050 rows written, deleted ones too


def test_a_target_that_cannot_count_rows_analyses_every_write_before_a_read():
    stats, ran = Statistics("redshift"), []
    mine: dict[str, int] = {}
    stats.after(stats.before("INSERT INTO s.big SELECT * FROM s.src", mine, ran.append), mine, 1)
    stats.before("SELECT * FROM s.big", mine, ran.append)
    assert ran == ["ANALYZE s.big"]


def test_a_table_never_analysed_is_analysed_the_first_time_a_statement_reads_it():
    # filled by an earlier process, which never read it again; autovacuum has not come by yet
    planned = {"s.filled": -1.0, "s.known": 5000.0}
    stats, ran = Statistics("postgres"), []
    mine: dict[str, int] = {}
    stats.before("DELETE FROM s.filled WHERE id IN (SELECT id FROM s.known)", mine, ran.append, planned.get)
    stats.before("SELECT * FROM s.filled", mine, ran.append, planned.get)
    assert ran == ["ANALYZE s.filled"]  # once: the planner's answer is asked once per process
    stats.before("SELECT * FROM s.unknown", mine, ran.append, lambda table: None)
    assert ran == ["ANALYZE s.filled"]  # a target that cannot say analyses nothing unwritten


def test_a_run_ends_by_analysing_what_it_changed_enough_and_no_more():
    planned = {"s.filled": -1.0, "s.big": 1_000_000.0}  # s.gone: dropped since, the target cannot say
    stats, ran = Statistics("postgres"), []
    mine: dict[str, int] = {}
    for table, rows in [("s.filled", 500), ("s.big", 1_000), ("s.gone", 700)]:
        stats.after(stats.before(f"INSERT INTO {table} SELECT * FROM s.src", mine, ran.append), mine, rows)
    stats.commit(mine)
    assert stats.settle(planned.get) == ["s.filled"]
    assert stats.stale == {"s.big": 1_000, "s.gone": 700}  # a later write may still earn them one


@pytest.mark.parametrize(("written", "planned", "worth"), [
    (0, 100.0, False), (59, 100.0, False), (60, 100.0, True), (1, None, True), (1, -1.0, True),
    (-1, 1e9, True),  # the driver could not count the rows written
])
def test_worth_analysing(written, planned, worth):
    assert worth_analysing(written, planned) is worth


@pytest.mark.parametrize("sql", ["SAVEPOINT sluice_chunk", "RELEASE SAVEPOINT sluice_chunk",
                                 "ROLLBACK TO SAVEPOINT sluice_chunk"])
def test_savepoints_name_no_table_and_log_no_warning(sql, caplog):
    with caplog.at_level("WARNING"):
        assert table_use(sql, "postgres") == table_use("SELECT 1", "postgres")
    assert caplog.records == []
