"""`datamodel_metadata`: one row per module run, moved through its outcomes.

running -> main_done -> complete, or failed; a later main of the same module marks a row it
finds still running or awaiting complete as abandoned (it holds the lock: that run is dead).
"""

from __future__ import annotations

from typing import Any

from sluice.lifecycle.graph import node
from sluice.lifecycle.modules import Module
from sluice.lifecycle.state import LifecycleState


class RunMetadata:
    def __init__(self, state: LifecycleState, model_version: str):
        self.state = state
        self.model_version = model_version

    def _set(self, module: Module, assignments: str, run_id: str | None = None, outcome: str = "running",
             **values: Any) -> None:
        run = " AND run_id = :run_id" if run_id else ""
        self.state.run(f"UPDATE {self.state.metadata} SET {assignments} "
                       f"WHERE module = :module AND outcome = :outcome{run}",
                       module=module.name, outcome=outcome, run_id=run_id, **values)

    def last_seconds(self) -> dict[str, float]:
        """Seconds of each module's main and complete (by graph node name, `graph.node`) in its
        latest finished run that had work: what a run in parallel expects them to take."""
        worked = ("{m}outcome = 'complete' AND {m}main_end_tstamp IS NOT NULL AND {m}run_end_tstamp IS NOT NULL "
                  "AND ({m}rows_this_run IS NULL OR {m}rows_this_run > 0)")
        table = self.state.metadata
        rows = self.state.rows(
            f"SELECT m.module, m.run_start_tstamp, m.main_end_tstamp, m.run_end_tstamp FROM {table} AS m "
            f"JOIN (SELECT module, MAX(run_start_tstamp) AS latest FROM {table} WHERE {worked.format(m='')} "
            f"GROUP BY module) AS l ON l.module = m.module AND l.latest = m.run_start_tstamp "
            f"WHERE {worked.format(m='m.')}")
        seconds: dict[str, float] = {}
        for module, started, main_end, ended in rows:
            seconds[node(module, "main")] = (main_end - started).total_seconds()
            seconds[node(module, "complete")] = (ended - main_end).total_seconds()
        return seconds

    def awaiting_complete(self, module: Module) -> bool:
        return bool(self.state.scalar(f"SELECT COUNT(*) FROM {self.state.metadata} "
                                      "WHERE module = :module AND outcome = 'main_done'", module=module.name))

    def start(self, module: Module, run_id: str) -> None:
        self.state.run(f"UPDATE {self.state.metadata} SET outcome = 'abandoned' "
                       "WHERE module = :module AND outcome IN ('running', 'main_done')", module=module.name)
        self.state.run(f"INSERT INTO {self.state.metadata} (run_id, model_version, module, outcome, "
                       f"run_start_tstamp) VALUES (:run_id, :version, :module, 'running', {self.state.now})",
                       run_id=run_id, version=self.model_version, module=module.name)

    def nothing_new(self, module: Module, run_id: str) -> None:
        now = self.state.now
        self._set(module, f"outcome = 'complete', rows_this_run = 0, main_end_tstamp = {now}, "
                          f"run_end_tstamp = {now}", run_id=run_id)

    def failed(self, module: Module, run_id: str, exc: Exception) -> None:
        self._set(module, f"outcome = 'failed', run_end_tstamp = {self.state.now}, error = :error",
                  run_id=run_id, error=str(exc)[:1000])

    def main_done(self, module: Module, run_id: str) -> dict[str, Any]:
        """Record main's end and figures; returns the figures."""
        figures = {**self._row_figures(module), **self._dropped_figures(module)}
        self._record(module, run_id, "outcome = 'main_done', main_end_tstamp = " + self.state.now, figures)
        return figures

    def complete(self, module: Module) -> str:
        """Record the end; a module whose `_this_run` table only complete writes gets its row
        figures now (call before the cleanup drops that table). Returns the run's id (a
        replayed complete finishes the run of the main it completes)."""
        ((run_id, counted),) = self.state.rows(f"SELECT run_id, rows_this_run FROM {self.state.metadata} "
                                               "WHERE module = :module AND outcome = 'main_done'", module=module.name)
        figures = {} if counted is not None or module.metadata is None else (
            self._row_figures(module) or {"rows_this_run": 0, "distinct_key": module.metadata.key,
                                          "distinct_key_count": 0})
        self._record(module, run_id, f"outcome = 'complete', run_end_tstamp = {self.state.now}", figures,
                     outcome="main_done")
        return run_id

    def ended(self, module: Module, run_id: str) -> None:
        """Once complete has committed: the run's end is now. (Inside complete's transaction
        the warehouse's clock stands at that transaction's start, which leaves complete out.)"""
        self.state.run(f"UPDATE {self.state.metadata} SET run_end_tstamp = {self.state.now} "
                       "WHERE module = :module AND run_id = :run_id AND outcome = 'complete'",
                       module=module.name, run_id=run_id)

    def _record(self, module: Module, run_id: str | None, assignments: str, figures: dict[str, Any],
                outcome: str = "running") -> None:
        self._set(module, assignments + "".join(f", {name} = :{name}" for name in figures), run_id=run_id,
                  outcome=outcome, **figures)

    def _row_figures(self, module: Module) -> dict[str, Any]:
        """Rows, distinct keys and time-key range of the `_this_run` table module.yml's `metadata`
        names; none while that table does not exist."""
        spec, state = module.metadata, self.state
        table = spec and state.staged_table(spec.table)
        if not table or not state.exists(table):
            return {}
        time_cols = f", MIN({spec.time_key}), MAX({spec.time_key})" if spec.time_key else ""
        row = state.rows(f"SELECT COUNT(*), COUNT(DISTINCT {spec.key}){time_cols} FROM {table}")[0]
        figures = {"rows_this_run": int(row[0]), "distinct_key": spec.key, "distinct_key_count": int(row[1])}
        if spec.time_key:
            figures.update(time_key=spec.time_key, min_time_key=_text(row[2]), max_time_key=_text(row[3]))
        return figures

    def _dropped_figures(self, module: Module) -> dict[str, Any]:
        """Duplicates removed and input rows dropped, from the scratch tables `metadata` names."""
        spec, figures = module.metadata, {}
        for column, name in (("duplicate_rows_removed", spec and spec.duplicates_table),
                             ("rows_dropped", spec and spec.dropped_table)):
            counted = name and self.state.staged_table(name)
            if counted and self.state.exists(counted):
                figures[column] = _count(self.state, counted, column)
        return figures


def _count(state: LifecycleState, table: str, column: str) -> int:
    """The table's rows, or the sum of its `column` where it has one (see MetadataSpec)."""
    total = f"COALESCE(SUM({column}), 0)" if column in state.columns(table) else "COUNT(*)"
    return int(state.scalar(f"SELECT {total} FROM {table}"))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
