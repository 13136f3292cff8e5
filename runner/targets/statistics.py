"""Fresh planner statistics for tables written earlier in the same run.

PostgreSQL and Redshift plan from statistics that only ANALYZE (or, minutes later,
autovacuum) refreshes. A scratch table created a moment ago is unknown to the planner: it
guesses, and a join that should be a hash join becomes a nested loop over millions of rows.
So a target that needs it tracks the tables each statement writes, and before a statement
reads one of them it runs ANALYZE on it, when the table is no larger than ANALYZE's sample
(30,000 rows: ANALYZE then costs one read of it) or the rows written since its last ANALYZE
earn it by autovacuum's rule, 50 rows plus a tenth of the rows the planner believes the table
holds. So a scratch table, or a staged table with a new batch, is analysed before it is read,
however few rows were written; a large output that an incremental run grows by 1% is not, and
the planner's count of its rows stays within a tenth. Nothing in the model's SQL has to
remember to do it.
https://www.postgresql.org/docs/current/planner-stats.html
https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-STATISTICS

Why not every write, however small: ANALYZE samples 30,000 rows, which on a table of a
million rows means reading most of its pages, 0.1-0.8 s each time. On the RudderStack
benchmark's incremental run that was 4 s of 20 spent analysing outputs grown by 1-2%
(measured: four runs of each, alternated, on copies of one state, 20.0 s against 17.2 s on
average; bench/RESULTS.md). Those outputs are read by key joins from the run's own scratch
tables, whose estimates do not depend on the histogram. (At 2026-12-02 07:15 the same rule
measured slower, 61 s against 32 s, on code that did not yet vacuum the staged tables: the
likely difference, not measured apart, is that a new batch was then under a tenth of a staged
table swollen by the catch-up, and went unanalysed. Released batches are now vacuumed away
(`Target.reclaim`), and a staged table holds little more than the batches still to read.)

A write counts once it commits (or at once, outside a transaction): another session must not
analyse a table it cannot see yet.

Two more rules. A table never analysed at all (filled by an earlier process, not yet seen by
autovacuum) is analysed the first time a statement reads it. And a run ends by analysing the
tables it wrote and did not analyse, by the same rule: after a full run the next run plans
with their statistics, while an incremental run leaves its 1% to autovacuum.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError


@dataclass(frozen=True)
class TableUse:
    reads: frozenset[str]
    writes: frozenset[str]
    drops: frozenset[str]


#: statements that name no table to plan for, which sqlglot would log a warning about before
#: reading them as a bare command (`sluice load` runs one pair per chunk; a release vacuums)
_NO_TABLE = ("SAVEPOINT", "RELEASE", "ROLLBACK", "VACUUM", "ANALYZE")


def table_use(statement: str, dialect: str) -> TableUse:
    """The schema-qualified tables a statement reads, writes and drops (lower case); CTEs and
    unqualified names are left out, as are statements sqlglot cannot read."""
    if statement.lstrip()[:9].upper().startswith(_NO_TABLE):
        return TableUse(frozenset(), frozenset(), frozenset())
    try:
        tree = sqlglot.parse_one(statement, read=dialect)
    except SqlglotError:
        return TableUse(frozenset(), frozenset(), frozenset())
    target = _target_table(tree)
    dropped = _dropped_tables(tree)
    # A DELETE or UPDATE scans its target: the planner reads that table's statistics too.
    scanned = isinstance(tree, (exp.Delete, exp.Update))
    reads = {_name(t) for t in tree.find_all(exp.Table)
             if (scanned or t is not target) and all(t is not d for d in dropped)}
    writes = {_name(target)} if target is not None and _fills(tree) else set()
    drops = {_name(t) for t in dropped}
    return TableUse(frozenset(reads - {None}), frozenset(writes - {None} - drops), frozenset(drops - {None}))


def _fills(tree: exp.Expression) -> bool:
    """Whether the statement writes rows: a CREATE TABLE without AS makes an empty table, with
    no rows to plan for, and a view holds none."""
    if isinstance(tree, exp.Create):
        return _created_kind(tree) == "TABLE" and tree.expression is not None
    return True


def _created_kind(tree: exp.Create) -> str:
    return str(tree.args.get("kind", "")).upper()


def _target_table(tree: exp.Expression) -> exp.Table | None:
    """The table (or view) a statement creates, fills or changes."""
    if isinstance(tree, (exp.Insert, exp.Delete, exp.Update)) or (
            isinstance(tree, exp.Create) and _created_kind(tree) in ("TABLE", "VIEW")):
        target = tree.this
        if isinstance(target, exp.Schema):
            target = target.this
        return target if isinstance(target, exp.Table) else None
    return None


def _dropped_tables(tree: exp.Expression) -> list[exp.Table]:
    if not isinstance(tree, exp.Drop) or str(tree.args.get("kind", "")).upper() != "TABLE":
        return []
    # sqlglot keeps the dropped tables in `tables` (newer) or `this` (older versions)
    found = tree.args.get("tables") or [tree.this]
    return [t for t in found if isinstance(t, exp.Table)]


def _name(table: exp.Table) -> str | None:
    if not table.db or not table.name:
        return None
    return f"{table.db}.{table.name}".lower()


#: autovacuum's defaults: analyse after 50 rows plus a tenth of the table have changed
ANALYZE_THRESHOLD, ANALYZE_SCALE_FACTOR = 50, 0.1
#: the rows ANALYZE samples: 300 times default_statistics_target (100)
ANALYZE_SAMPLE_ROWS = 30_000


def worth_analysing(written: int, planned_rows: float | None) -> bool:
    """Whether `written` rows (-1: unknown) change a table the planner believes holds
    `planned_rows` (None or negative: never analysed, or the target cannot say) enough to
    analyse it again."""
    if written < 0 or planned_rows is None or planned_rows < 0:
        return True
    return written >= ANALYZE_THRESHOLD + ANALYZE_SCALE_FACTOR * planned_rows


def worth_analysing_before_read(written: int, planned_rows: float | None) -> bool:
    """`worth_analysing`, or a table small enough that ANALYZE reads it whole."""
    small = planned_rows is not None and 0 <= planned_rows <= ANALYZE_SAMPLE_ROWS
    return small or worth_analysing(written, planned_rows)


@dataclass
class Statistics:
    """Tables written since they were last analysed, for one target, with the rows written."""

    dialect: str
    stale: dict[str, int] = field(default_factory=dict)
    #: tables statements of this process have read (each checked once for never having been analysed)
    seen: set[str] = field(default_factory=set)
    #: the rows the planner believes a table holds, as last asked (again once it is analysed or dropped)
    planned: dict[str, float | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def before(self, statement: str, pending: dict[str, int], run: Callable[[str], None],
               planned_rows: Callable[[str], float | None] = lambda table: None) -> TableUse:
        """Analyse the tables `statement` reads that were written since their last ANALYZE
        (this session's uncommitted writes in `pending` included) when they are small or the
        writes earn it, and those it reads for the first time that were never analysed; return
        what it uses, for `after`.
        `planned_rows(table)`: the rows the planner believes the table holds, negative when it
        was never analysed, None when the target cannot say (then every write earns one)."""
        use = table_use(statement, self.dialect)
        with self._lock:
            written = {t: _add(self.stale.get(t, 0), pending.get(t, 0))
                       for t in use.reads if t in self.stale or t in pending}
            unseen = use.reads - self.seen - written.keys()
            self.seen |= use.reads
        counts = self._planned_counts(written.keys() | unseen, planned_rows)
        todo = sorted({t for t, rows in written.items() if worth_analysing_before_read(rows, counts[t])}
                      | {t for t in unseen if (counts[t] or 0) < 0})
        with self._lock:
            for table in todo:
                self.planned.pop(table, None)  # analysed: the planner's count changes
                self.stale.pop(table, None)
        for table in todo:
            pending.pop(table, None)
            run(f"ANALYZE {table}")
        return use

    def after(self, use: TableUse, pending: dict[str, int], rows: int = -1) -> None:
        """Record what a statement wrote; one that changed no row (`rows` 0: an incremental run
        with nothing to delete or add) leaves the statistics as true as they were."""
        if rows != 0:
            for table in use.writes:
                pending[table] = _add(pending.get(table, 0), rows)
        for table in use.drops:
            pending.pop(table, None)
        with self._lock:
            for table in use.drops:
                self.stale.pop(table, None)
                self.seen.discard(table)
                self.planned.pop(table, None)

    def settle(self, planned_rows: Callable[[str], float | None]) -> list[str]:
        """The stale tables changed enough to analyse now, at the end of a run, so that the
        next run (another process, which knows nothing of these writes) plans with their
        statistics whether or not autovacuum has come by. A table the target cannot size
        (gone, or a target that cannot say) is left to the warehouse."""
        with self._lock:
            stale = dict(self.stale)
        counts = self._planned_counts(stale.keys(), planned_rows)
        due = [table for table, written in sorted(stale.items())
               if counts[table] is not None and worth_analysing(written, counts[table])]
        with self._lock:
            for table in due:
                self.stale.pop(table, None)
                self.planned.pop(table, None)  # analysed by the caller
        return due

    def _planned_counts(self, tables: Iterable[str], planned_rows: Callable[[str], float | None]
                        ) -> dict[str, float | None]:
        """The planner's row count of each table, asked of the target only for those not asked
        since they were last analysed or dropped (a catalog query each)."""
        tables = set(tables)
        with self._lock:
            known = {t: self.planned[t] for t in tables if t in self.planned}
        asked = {t: planned_rows(t) for t in tables - known.keys()}
        with self._lock:
            self.planned.update(asked)
        return known | asked

    def commit(self, pending: dict[str, int]) -> None:
        with self._lock:
            for table, written in pending.items():
                self.stale[table] = _add(self.stale.get(table, 0), written)
        pending.clear()


def _add(a: int, b: int) -> int:
    """Rows written, where -1 (a driver that could not say) stays unknown."""
    return -1 if a < 0 or b < 0 else a + b
