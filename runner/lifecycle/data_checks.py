"""Data checks: a playbook step whose queries are SELECTs of the rows that fail a rule.

A *critical* check belongs in main after the scratch tables are built and before anything is
written: when it finds rows the module stops (exit 8), so no production table, staged batch,
manifest or offset moves. A *warn* check belongs after the writes: it is recorded and
reported, and the run goes on. Either way the failing rows of the latest run are kept in
`<scratch_schema>.dq_failures_<check>` and every result is a row of `dq_results`, which
`sluice status` shows.
"""

from __future__ import annotations

import json
from typing import Any

from sluice.errors import CheckFailed, QueryError
from sluice.lifecycle.modules import Module
from sluice.lifecycle.state import LifecycleState
from sluice.output import Reporter
from sluice.sqlrunner.executor import RenderedQuery

#: failing rows written into dq_results.sample
SAMPLE_ROWS = 5


class DataChecks:
    """Runs one module's checks for one run and records their results."""

    def __init__(self, state: LifecycleState, reporter: Reporter, module: Module, run_id: str):
        self.state = state
        self.reporter = reporter
        self.module = module
        self.run_id = run_id
        self.results = f"{state.output_schema}.dq_results{state.entropy}"

    def __call__(self, rq: RenderedQuery) -> None:
        check, severity = rq.query.name, rq.query.severity
        failures = self.state.staged_table(f"dq_failures_{check}")
        select = rq.sql.strip().rstrip(";")
        try:
            with self.state.session.transaction():
                self.state.run(f"DROP TABLE IF EXISTS {failures}")
                self.state.run(f"CREATE TABLE {failures} AS {select}")
        except QueryError as exc:
            raise rq.failure(exc) from exc
        failing = int(self.state.scalar(f"SELECT COUNT(*) FROM {failures}"))
        sample = self._sample(failures) if failing else None
        with self.state.session.transaction():
            if not failing:
                self.state.run(f"DROP TABLE IF EXISTS {failures}")
            self.state.run(f"INSERT INTO {self.results} (run_id, module, check_name, severity, n_failing, sample, "
                           f"checked_at) VALUES (:run_id, :module, :check, :severity, :failing, :sample, "
                           f"{self.state.now})", run_id=self.run_id, module=self.module.name, check=check,
                           severity=severity, failing=failing, sample=sample)
        self.reporter.query_finished(self.state.session.target.name, rq.step, check, failing, 0.0)
        if not failing:
            return
        rows = f"{failing} failing row{'s' * (failing != 1)}"
        where = f"module '{self.module.name}': {severity} check '{check}' found {rows} (kept in {failures})"
        if severity == "critical":
            raise CheckFailed(f"{where}; nothing was written")
        self.reporter.warning(where)

    def _sample(self, failures: str) -> str:
        found = self.state.session.fetch(f"SELECT * FROM {failures} LIMIT {SAMPLE_ROWS}")
        return json.dumps([{c: _plain(v) for c, v in zip(found.columns, row, strict=True)} for row in found.rows])


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (int, float, str, bool)) else str(value)
