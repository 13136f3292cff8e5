"""The lifecycle's own tables: staged batches, consumer offsets, run metadata.

Their definitions live in `manifests/`; this module creates them on first use and holds the
few statements that move a batch or an offset. The statements are plain SQL that DuckDB,
PostgreSQL and Redshift all accept. Values inlined into them are integers or checked names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.config import read_yaml
from runner.errors import QueryError, TemplateError
from runner.targets import Session
from runner.templates import Renderer

MANIFESTS = Path(__file__).resolve().parent.parent / "manifests"
_SAFE = re.compile(r"^[A-Za-z0-9_.:\- ]*$")


def literal(value: Any) -> str:
    """A SQL literal for the values the lifecycle writes (names, ids, numbers, None)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Offset:
    consumer: str
    staged_table: str
    consumed_batch: int
    pending_batch: int | None


class LifecycleState:
    """Reads and moves batches and offsets. Callers choose the transaction."""

    def __init__(self, session: Session, renderer: Renderer, variables: dict[str, Any]):
        self.session = session
        self.renderer = renderer
        self.variables = variables
        schema, entropy = variables["output_schema"], variables.get("entropy", "")
        self.scratch_schema = variables["scratch_schema"]
        self.entropy = entropy
        self.metadata = f"{schema}.datamodel_metadata{entropy}"
        self.batches = f"{schema}.staged_batches{entropy}"
        self.offsets = f"{schema}.staged_offsets{entropy}"
        self.locks = f"{schema}.module_locks{entropy}"
        #: the dialect's "now" as naive UTC, a SQL expression
        self.now = renderer.render("{{ current_ts() }}", {}, "current_ts")

    # -- set-up ----------------------------------------------------------------------------
    def ensure_tables(self) -> None:
        """Create the schemas and every lifecycle table that does not exist yet."""
        spec = read_yaml(MANIFESTS / "manifests.yml")
        sql = [f"CREATE SCHEMA IF NOT EXISTS {self.variables[s]}" for s in ("output_schema", "scratch_schema")]
        for name in spec["tables"]:
            path = MANIFESTS / f"{name}.sql"
            sql.append(self.renderer.render(path.read_text(), self.variables, str(path)))
        script = ";\n".join(sql)
        try:
            with self.session.transaction():
                self.session.execute(script, label="manifests/")
        except QueryError:
            # Two first runs at once on PostgreSQL can race on CREATE ... IF NOT EXISTS;
            # the loser finds the tables there on a second try.
            with self.session.transaction():
                self.session.execute(script, label="manifests/")

    def staged_table(self, name: str) -> str:
        return f"{self.scratch_schema}.{name}{self.entropy}"

    def scalar(self, sql: str) -> Any:
        rows = self.session.fetch(sql).rows
        return rows[0][0] if rows else None

    def run(self, sql: str, label: str = "lifecycle") -> int:
        return self.session.execute(sql, label=label).rows_affected

    # -- batches ---------------------------------------------------------------------------
    def next_batch_id(self) -> int:
        return int(self.scalar(f"SELECT COALESCE(MAX(batch_id), 0) FROM {self.batches}") or 0) + 1

    def open_batches(self, module: str, tables: tuple[str, ...], run_id: str, batch_id: int,
                     consumer: str | None = None) -> None:
        """Forget what a crashed main of this module left, then register pending batches
        (addressed to one consumer when a backfill replays history for it)."""
        for table in tables:
            self.discard_pending(module, table)
            self.run(f"INSERT INTO {self.batches} (staged_table, batch_id, module, run_id, state, consumer, "
                     f"created_at) VALUES ({literal(table)}, {batch_id}, {literal(module)}, {literal(run_id)}, "
                     f"'pending', {literal(consumer)}, {self.now})")

    def discard_pending(self, module: str, table: str) -> None:
        pending = self.session.fetch(f"SELECT batch_id FROM {self.batches} WHERE staged_table = {literal(table)} "
                                     f"AND module = {literal(module)} AND state = 'pending'").rows
        if not pending:
            return
        ids = ", ".join(str(r[0]) for r in pending)
        if self.exists(self.staged_table(table)):
            self.run(f"DELETE FROM {self.staged_table(table)} WHERE batch_id IN ({ids})")
        self.run(f"DELETE FROM {self.batches} WHERE staged_table = {literal(table)} AND batch_id IN ({ids})")

    def count_pending_rows(self, module: str) -> None:
        rows = self.session.fetch(f"SELECT staged_table, batch_id FROM {self.batches} "
                                  f"WHERE module = {literal(module)} AND state = 'pending'").rows
        for table, batch_id in rows:
            count = self.scalar(f"SELECT COUNT(*) FROM {self.staged_table(table)} WHERE batch_id = {batch_id}") \
                if self.exists(self.staged_table(table)) else 0
            self.run(f"UPDATE {self.batches} SET rows_staged = {int(count)} "
                     f"WHERE staged_table = {literal(table)} AND batch_id = {batch_id}")

    def rows_staged_since(self, batch_id: int) -> int:
        """Rows staged by batches from `batch_id` on."""
        return int(self.scalar(f"SELECT COALESCE(SUM(rows_staged), 0) FROM {self.batches} "
                               f"WHERE batch_id >= {batch_id}") or 0)

    def commit_batches(self, module: str) -> None:
        """Pending batches become visible to consumers; an empty one is dropped instead, so a
        run with nothing new leaves consumers nothing to do."""
        self.run(f"DELETE FROM {self.batches} WHERE module = {literal(module)} AND state = 'pending' "
                 f"AND rows_staged = 0")
        self.run(f"UPDATE {self.batches} SET state = 'committed', committed_at = {self.now} "
                 f"WHERE module = {literal(module)} AND state = 'pending'")

    def head(self, table: str, consumer: str) -> int:
        """The newest committed batch of `table` this consumer may read."""
        return int(self.scalar(
            f"SELECT COALESCE(MAX(batch_id), 0) FROM {self.batches} WHERE staged_table = {literal(table)} "
            f"AND state <> 'pending' AND (consumer IS NULL OR consumer = {literal(consumer)})") or 0)

    # -- offsets ---------------------------------------------------------------------------
    def offset(self, consumer: str, table: str) -> Offset | None:
        rows = self.session.fetch(
            f"SELECT consumed_batch, pending_batch FROM {self.offsets} "
            f"WHERE consumer = {literal(consumer)} AND staged_table = {literal(table)}").rows
        return Offset(consumer, table, int(rows[0][0]), rows[0][1]) if rows else None

    def register_consumer(self, consumer: str, table: str, at_batch: int | None = None) -> Offset:
        """A consumer seen for the first time starts at the current head: what was staged
        before it existed reaches it through `sluice backfill`, never by accident."""
        found = self.offset(consumer, table)
        if found is not None and at_batch is None:
            return found
        start = self.head(table, consumer) if at_batch is None else at_batch
        self.run(f"DELETE FROM {self.offsets} WHERE consumer = {literal(consumer)} "
                 f"AND staged_table = {literal(table)}")
        self.run(f"INSERT INTO {self.offsets} (consumer, staged_table, consumed_batch, pending_batch, updated_at) "
                 f"VALUES ({literal(consumer)}, {literal(table)}, {start}, NULL, {self.now})")
        return Offset(consumer, table, start, None)

    def take_pending(self, consumer: str, table: str) -> tuple[int, int]:
        """Fix the batches this main reads: (consumed, head]. Complete commits that range."""
        offset = self.register_consumer(consumer, table)
        upto = self.head(table, consumer)
        self.run(f"UPDATE {self.offsets} SET pending_batch = {upto}, updated_at = {self.now} "
                 f"WHERE consumer = {literal(consumer)} AND staged_table = {literal(table)}")
        return offset.consumed_batch, upto

    def commit_offsets(self, consumer: str) -> None:
        """consumed := pending. Replaying it changes nothing (pending stays where it was)."""
        self.run(f"UPDATE {self.offsets} SET consumed_batch = pending_batch, updated_at = {self.now} "
                 f"WHERE consumer = {literal(consumer)} AND pending_batch IS NOT NULL "
                 f"AND pending_batch > consumed_batch")

    def release(self, table: str) -> None:
        """Delete staged rows of batches every registered consumer of `table` is past."""
        if not self.exists(self.staged_table(table)):
            return
        releasable = (
            f"SELECT b.batch_id FROM {self.batches} b WHERE b.staged_table = {literal(table)} "
            f"AND b.state = 'committed' AND NOT EXISTS (SELECT 1 FROM {self.offsets} o "
            f"WHERE o.staged_table = b.staged_table AND o.consumed_batch < b.batch_id "
            f"AND (b.consumer IS NULL OR b.consumer = o.consumer))")
        ids = [r[0] for r in self.session.fetch(releasable).rows]
        if not ids:
            return
        listed = ", ".join(str(i) for i in ids)
        self.run(f"DELETE FROM {self.staged_table(table)} WHERE batch_id IN ({listed})")
        self.run(f"UPDATE {self.batches} SET state = 'released' "
                 f"WHERE staged_table = {literal(table)} AND batch_id IN ({listed})")

    def forget(self, module: str) -> None:
        """Remove a destroyed module's offsets, batches and metadata-independent state."""
        self.run(f"DELETE FROM {self.offsets} WHERE consumer = {literal(module)}")
        self.run(f"DELETE FROM {self.batches} WHERE module = {literal(module)} OR consumer = {literal(module)}")

    # -- helpers ---------------------------------------------------------------------------
    def exists(self, qualified: str) -> bool:
        schema, _, name = qualified.partition(".")
        if not (_SAFE.match(schema) and _SAFE.match(name)):
            raise TemplateError(f"not a table name: {qualified!r}")
        return bool(self.scalar(
            "SELECT COUNT(*) FROM information_schema.tables "
            f"WHERE table_schema = {literal(schema)} AND table_name = {literal(name)}"))
