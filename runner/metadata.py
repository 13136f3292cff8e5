"""`datamodel_metadata`: one row per module run, moved through its outcomes.

running -> main_done -> complete, or failed; a later main of the same module marks a row it
finds still running or awaiting complete as abandoned (it holds the lock: that run is dead).
"""

from __future__ import annotations

from typing import Any

from runner.modules import Module
from runner.state import LifecycleState, literal


class RunMetadata:
    def __init__(self, state: LifecycleState, model_version: str):
        self.state = state
        self.model_version = model_version

    def _where(self, module: Module, run_id: str | None = None, outcome: str = "running") -> str:
        run = f" AND run_id = {literal(run_id)}" if run_id else ""
        return f"WHERE module = {literal(module.name)} AND outcome = {literal(outcome)}{run}"

    def _set(self, module: Module, assignments: str, **where: Any) -> None:
        self.state.run(f"UPDATE {self.state.metadata} SET {assignments} {self._where(module, **where)}")

    def awaiting_complete(self, module: Module) -> bool:
        return bool(self.state.scalar(f"SELECT COUNT(*) FROM {self.state.metadata} "
                                      f"{self._where(module, outcome='main_done')}"))

    def start(self, module: Module, run_id: str) -> None:
        self.state.run(f"UPDATE {self.state.metadata} SET outcome = 'abandoned' WHERE module = "
                       f"{literal(module.name)} AND outcome IN ('running', 'main_done')")
        self.state.run(
            f"INSERT INTO {self.state.metadata} (run_id, model_version, module, outcome, run_start_tstamp) "
            f"VALUES ({literal(run_id)}, {literal(self.model_version)}, {literal(module.name)}, "
            f"'running', {self.state.now})")

    def nothing_new(self, module: Module, run_id: str) -> None:
        now = self.state.now
        self._set(module, f"outcome = 'complete', rows_this_run = 0, main_end_tstamp = {now}, "
                          f"run_end_tstamp = {now}", run_id=run_id)

    def failed(self, module: Module, run_id: str, exc: Exception) -> None:
        self._set(module, f"outcome = 'failed', run_end_tstamp = {self.state.now}, "
                          f"error = {literal(str(exc)[:1000])}", run_id=run_id)

    def main_done(self, module: Module, run_id: str) -> None:
        figures = "".join(f", {k} = {literal(v)}" for k, v in self._figures(module).items())
        self._set(module, f"outcome = 'main_done', main_end_tstamp = {self.state.now}{figures}", run_id=run_id)

    def complete(self, module: Module) -> None:
        self._set(module, f"outcome = 'complete', run_end_tstamp = {self.state.now}", outcome="main_done")

    def _figures(self, module: Module) -> dict[str, Any]:
        """Rows, distinct keys, time-key range and duplicates, as module.yml's `metadata` says."""
        spec, state = module.metadata, self.state
        if spec is None:
            return {}
        table = state.staged_table(spec.table)
        if not state.exists(table):
            return {"rows_this_run": 0, "distinct_key": spec.key, "distinct_key_count": 0}
        time_cols = f", MIN({spec.time_key}), MAX({spec.time_key})" if spec.time_key else ""
        row = state.session.fetch(f"SELECT COUNT(*), COUNT(DISTINCT {spec.key}){time_cols} FROM {table}").rows[0]
        figures = {"rows_this_run": row[0], "distinct_key": spec.key, "distinct_key_count": row[1]}
        if spec.time_key:
            figures.update(time_key=spec.time_key, min_time_key=_text(row[2]), max_time_key=_text(row[3]))
        duplicates = spec.duplicates_table and state.staged_table(spec.duplicates_table)
        if duplicates and state.exists(duplicates):
            figures["duplicate_rows_removed"] = state.scalar(f"SELECT COUNT(*) FROM {duplicates}")
        return figures


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
