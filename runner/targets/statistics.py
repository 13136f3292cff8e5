"""Fresh planner statistics for tables written earlier in the same run.

PostgreSQL and Redshift plan from statistics that only ANALYZE (or, minutes later,
autovacuum) refreshes. A scratch table created a moment ago is unknown to the planner: it
guesses, and a join that should be a hash join becomes a nested loop over millions of rows.
So a target that needs it tracks the tables each statement writes, and before a statement
reads one of them it runs ANALYZE on it, once per write. Nothing in the model's SQL has to
remember to do it. https://www.postgresql.org/docs/current/planner-stats.html

A write counts once it commits (or at once, outside a transaction): another session must not
analyse a table it cannot see yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError


@dataclass(frozen=True)
class TableUse:
    reads: frozenset[str]
    writes: frozenset[str]
    drops: frozenset[str]


#: statements that name no table, which sqlglot would log a warning about before reading
#: them as a bare command (`sluice load` runs one pair per chunk)
_NO_TABLE = ("SAVEPOINT", "RELEASE", "ROLLBACK")


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
    reads = {_name(t) for t in tree.find_all(exp.Table) if t is not target and all(t is not d for d in dropped)}
    writes = {_name(target)} if target is not None and _fills(tree) else set()
    drops = {_name(t) for t in dropped}
    return TableUse(frozenset(reads - {None}), frozenset(writes - {None} - drops), frozenset(drops - {None}))


def _fills(tree: exp.Expression) -> bool:
    """Whether the statement writes rows: a CREATE TABLE without AS makes an empty table, with
    no rows to plan for."""
    return not isinstance(tree, exp.Create) or tree.expression is not None


def _target_table(tree: exp.Expression) -> exp.Table | None:
    """The table a statement creates, fills or changes."""
    if isinstance(tree, (exp.Insert, exp.Delete, exp.Update)) or (
            isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "TABLE"):
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


@dataclass
class Statistics:
    """Tables written since they were last analysed, for one target."""

    dialect: str
    stale: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def before(self, statement: str, pending: set[str], run: Callable[[str], None]) -> TableUse:
        """Analyse the stale tables `statement` reads (this session's uncommitted writes in
        `pending` included); return what it uses, for `after`."""
        use = table_use(statement, self.dialect)
        with self._lock:
            todo = sorted(use.reads & (self.stale | pending))
            self.stale -= set(todo)
        pending -= set(todo)
        for table in todo:
            run(f"ANALYZE {table}")
        return use

    def after(self, use: TableUse, pending: set[str], rows: int = -1) -> None:
        """Record what a statement wrote; one that changed no row (`rows` 0: an incremental run
        with nothing to delete or add) leaves the statistics as true as they were."""
        if rows != 0:
            pending |= use.writes
        pending -= use.drops
        with self._lock:
            self.stale -= use.drops

    def commit(self, pending: set[str]) -> None:
        with self._lock:
            self.stale |= pending
        pending.clear()
