"""The lifecycle's own tables: staged batches, consumer offsets, and the manifests' DDL.

Their definitions live in `manifests/`; this module creates them on first use and holds the
few statements that move a batch or an offset. The statements are plain SQL that DuckDB,
PostgreSQL and Redshift all accept; table names come from checked, folded variables and every
value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sluice import resources
from sluice.config import read_yaml
from sluice.errors import QueryError
from sluice.render.renderer import Renderer
from sluice.targets import Session


@dataclass(frozen=True)
class Offset:
    consumer: str
    staged_table: str
    consumed_batch: int
    pending_batch: int | None


#: lifecycle table -> columns added since its first version (name, type)
ADDED_COLUMNS = {"datamodel_metadata": (("rows_dropped", "BIGINT"),)}


def manifest_spec() -> dict[str, Any]:
    return read_yaml(resources.manifests() / "manifests.yml")


class LifecycleState:
    """Reads and moves batches and offsets. Callers choose the transaction."""

    def __init__(self, session: Session, renderer: Renderer, variables: Mapping[str, Any]):
        self.session = session
        self.renderer = renderer
        self.variables = variables
        schema, entropy = variables["output_schema"], variables.get("entropy", "")
        self.output_schema = schema
        self.scratch_schema = variables["scratch_schema"]
        self.entropy = entropy
        self.metadata = f"{schema}.datamodel_metadata{entropy}"
        self.batches = f"{schema}.staged_batches{entropy}"
        self.offsets = f"{schema}.staged_offsets{entropy}"
        self.locks = f"{schema}.module_locks{entropy}"
        #: the dialect's "now" as naive UTC, a SQL expression
        self.now = renderer.render("{{ current_ts() }}", {}, "current_ts")

    # -- set-up ----------------------------------------------------------------------------
    def ensure_tables(self, models: Iterable[str] = ()) -> None:
        """Create the schemas, the lifecycle tables and the enabled families' manifests."""
        spec = manifest_spec()
        names = list(spec["lifecycle"])
        for model in models:
            names += spec["models"].get(model, {}).get("tables", [])
        sql = [f"CREATE SCHEMA IF NOT EXISTS {self.variables[s]}" for s in ("output_schema", "scratch_schema")]
        for name in names:
            path = resources.manifests() / f"{name}.sql"
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
        self._add_new_columns()

    def _add_new_columns(self) -> None:
        """Columns added to a lifecycle table after it may have been created: CREATE TABLE IF
        NOT EXISTS leaves an older table as it was, so they are added here."""
        for name, columns in ADDED_COLUMNS.items():
            relation = f"{self.output_schema}.{name}{self.entropy}"
            have = self.columns(relation)
            for column, kind in columns:
                if have and column not in have:
                    with self.session.transaction():
                        self.run(f"ALTER TABLE {relation} ADD COLUMN {column} {kind}", label="manifests/")

    def staged_table(self, name: str) -> str:
        return f"{self.scratch_schema}.{name}{self.entropy}"

    def scalar(self, sql: str, **params: Any) -> Any:
        rows = self.session.fetch(sql, params).rows
        return rows[0][0] if rows else None

    def rows(self, sql: str, **params: Any) -> list[tuple]:
        return self.session.fetch(sql, params).rows

    def run(self, sql: str, label: str = "lifecycle", **params: Any) -> int:
        return self.session.execute(sql, params, label=label).rows_affected

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
                     f"created_at) VALUES (:table, :batch_id, :module, :run_id, 'pending', :consumer, {self.now})",
                     table=table, batch_id=batch_id, module=module, run_id=run_id, consumer=consumer)

    def discard_pending(self, module: str, table: str) -> None:
        pending = [r[0] for r in self.rows(
            f"SELECT batch_id FROM {self.batches} WHERE staged_table = :table AND module = :module "
            "AND state = 'pending'", table=table, module=module)]
        if not pending:
            return
        for batch_id in pending:
            if self.exists(self.staged_table(table)):
                self.run(f"DELETE FROM {self.staged_table(table)} WHERE batch_id = :batch_id", batch_id=batch_id)
            self.run(f"DELETE FROM {self.batches} WHERE staged_table = :table AND batch_id = :batch_id",
                     table=table, batch_id=batch_id)

    def count_pending_rows(self, module: str) -> None:
        pending = self.rows(f"SELECT staged_table, batch_id FROM {self.batches} "
                            "WHERE module = :module AND state = 'pending'", module=module)
        for table, batch_id in pending:
            count = self.scalar(f"SELECT COUNT(*) FROM {self.staged_table(table)} WHERE batch_id = :batch_id",
                                batch_id=batch_id) if self.exists(self.staged_table(table)) else 0
            self.run(f"UPDATE {self.batches} SET rows_staged = :count "
                     "WHERE staged_table = :table AND batch_id = :batch_id",
                     count=int(count), table=table, batch_id=batch_id)

    def rows_staged_since(self, batch_id: int, modules: list[str]) -> int:
        """Rows the given modules staged in batches from `batch_id` on."""
        names = {f"module_{i}": name for i, name in enumerate(modules)}
        listed = ", ".join(f":{key}" for key in names)
        return int(self.scalar(f"SELECT COALESCE(SUM(rows_staged), 0) FROM {self.batches} "
                               f"WHERE batch_id >= :batch_id AND module IN ({listed})",
                               batch_id=batch_id, **names) or 0)

    def commit_batches(self, module: str) -> None:
        """Pending batches become visible to consumers; an empty one is dropped instead, so a
        run with nothing new leaves consumers nothing to do."""
        self.run(f"DELETE FROM {self.batches} WHERE module = :module AND state = 'pending' AND rows_staged = 0",
                 module=module)
        self.run(f"UPDATE {self.batches} SET state = 'committed', committed_at = {self.now} "
                 "WHERE module = :module AND state = 'pending'", module=module)

    def head(self, table: str, consumer: str) -> int:
        """The newest committed batch of `table` this consumer may read."""
        return int(self.scalar(
            f"SELECT COALESCE(MAX(batch_id), 0) FROM {self.batches} WHERE staged_table = :table "
            "AND state <> 'pending' AND (consumer IS NULL OR consumer = :consumer)",
            table=table, consumer=consumer) or 0)

    # -- offsets ---------------------------------------------------------------------------
    def offset(self, consumer: str, table: str) -> Offset | None:
        found = self.rows(f"SELECT consumed_batch, pending_batch FROM {self.offsets} "
                          "WHERE consumer = :consumer AND staged_table = :table", consumer=consumer, table=table)
        return Offset(consumer, table, int(found[0][0]), found[0][1]) if found else None

    def register_consumer(self, consumer: str, table: str, at_batch: int | None = None) -> Offset:
        """A consumer seen for the first time starts at the current head: what was staged
        before it existed reaches it through `sluice backfill`, never by accident."""
        found = self.offset(consumer, table)
        if found is not None and at_batch is None:
            return found
        start = self.head(table, consumer) if at_batch is None else at_batch
        self.run(f"DELETE FROM {self.offsets} WHERE consumer = :consumer AND staged_table = :table",
                 consumer=consumer, table=table)
        self.run(f"INSERT INTO {self.offsets} (consumer, staged_table, consumed_batch, pending_batch, updated_at) "
                 f"VALUES (:consumer, :table, :start, NULL, {self.now})", consumer=consumer, table=table, start=start)
        return Offset(consumer, table, start, None)

    def take_pending(self, consumer: str, table: str) -> tuple[int, int]:
        """Fix the batches this main reads: (consumed, head]. Complete commits that range."""
        offset = self.register_consumer(consumer, table)
        upto = self.head(table, consumer)
        self.run(f"UPDATE {self.offsets} SET pending_batch = :upto, updated_at = {self.now} "
                 "WHERE consumer = :consumer AND staged_table = :table", upto=upto, consumer=consumer, table=table)
        return offset.consumed_batch, upto

    def commit_offsets(self, consumer: str) -> None:
        """consumed := pending. Replaying it changes nothing (pending stays where it was)."""
        self.run(f"UPDATE {self.offsets} SET consumed_batch = pending_batch, updated_at = {self.now} "
                 "WHERE consumer = :consumer AND pending_batch IS NOT NULL AND pending_batch > consumed_batch",
                 consumer=consumer)

    def release(self, table: str) -> int:
        """Delete staged rows of batches every registered consumer of `table` is past; returns
        how many rows went."""
        if not self.exists(self.staged_table(table)):
            return 0
        releasable = (
            f"SELECT b.batch_id FROM {self.batches} b WHERE b.staged_table = :table "
            f"AND b.state = 'committed' AND NOT EXISTS (SELECT 1 FROM {self.offsets} o "
            "WHERE o.staged_table = b.staged_table AND o.consumed_batch < b.batch_id "
            "AND (b.consumer IS NULL OR b.consumer = o.consumer))")
        deleted = self.run(f"DELETE FROM {self.staged_table(table)} WHERE batch_id IN ({releasable})", table=table)
        self.run(f"UPDATE {self.batches} SET state = 'released' WHERE staged_table = :table "
                 f"AND batch_id IN ({releasable})", table=table)
        return deleted

    def forget(self, module: str) -> None:
        """Remove a destroyed module's offsets and batches."""
        self.run(f"DELETE FROM {self.offsets} WHERE consumer = :module", module=module)
        self.run(f"DELETE FROM {self.batches} WHERE module = :module OR consumer = :module", module=module)

    # -- helpers ---------------------------------------------------------------------------
    def columns(self, qualified: str) -> list[str]:
        """The columns of `schema.table` in their order; none when it does not exist."""
        schema, _, name = qualified.partition(".")
        return [r[0] for r in self.rows(self.session.target.columns_query, schema=schema, name=name)]

    def exists(self, qualified: str) -> bool:
        """Whether `schema.table` exists (a table always has a column); both parts are the
        folded names the SQL created."""
        return bool(self.columns(qualified))
