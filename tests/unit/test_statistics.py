"""Which tables a statement reads, writes and drops: what decides when PostgreSQL and Redshift
get fresh statistics (see runner/targets/statistics.py)."""

from __future__ import annotations

import pytest

from sluice.targets.statistics import Statistics, table_use

CASES = [
    ("CREATE TABLE scratch.b AS WITH x AS (SELECT * FROM scratch.a) SELECT * FROM x JOIN derived.c ON TRUE",
     {"scratch.a", "derived.c"}, {"scratch.b"}, set()),
    ("INSERT INTO scratch.s (batch_id, id) SELECT 1, id FROM scratch.t", {"scratch.t"}, {"scratch.s"}, set()),
    ("DELETE FROM derived.pv WHERE id IN (SELECT id FROM scratch.pv_this_run)", {"scratch.pv_this_run"},
     {"derived.pv"}, set()),
    ("UPDATE derived.u SET n = 1 WHERE id IN (SELECT id FROM Scratch.X)", {"scratch.x"}, {"derived.u"}, set()),
    ("DROP TABLE IF EXISTS scratch.old", set(), set(), {"scratch.old"}),
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
    mine: set[str] = set()
    stats.after(stats.before("CREATE TABLE s.a AS SELECT 1 AS x", mine, ran.append), mine)
    other: set[str] = set()
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
    assert stats.stale == set()


def test_a_write_that_changed_no_row_leaves_the_statistics_alone():
    stats, ran = Statistics("postgres"), []
    mine: set[str] = set()
    stats.after(stats.before("DELETE FROM s.big WHERE id IN (SELECT id FROM s.gone)", mine, ran.append), mine, 0)
    stats.after(stats.before("INSERT INTO s.big SELECT * FROM s.new", mine, ran.append), mine, 0)
    stats.commit(mine)
    stats.before("SELECT * FROM s.big", mine, ran.append)
    assert ran == []
    stats.after(stats.before("INSERT INTO s.big SELECT * FROM s.new", mine, ran.append), mine, 3)
    stats.commit(mine)
    stats.before("SELECT * FROM s.big", mine, ran.append)
    assert ran == ["ANALYZE s.big"]


@pytest.mark.parametrize("sql", ["SAVEPOINT sluice_chunk", "RELEASE SAVEPOINT sluice_chunk",
                                 "ROLLBACK TO SAVEPOINT sluice_chunk"])
def test_savepoints_name_no_table_and_log_no_warning(sql, caplog):
    with caplog.at_level("WARNING"):
        assert table_use(sql, "postgres") == table_use("SELECT 1", "postgres")
    assert caplog.records == []
