"""`sluice status`: what each module last did, what waits for each consumer, what is locked."""

from __future__ import annotations

from typing import Any

from sluice.lifecycle.engine import Lifecycle
from sluice.lifecycle.state import manifest_spec


def collect(lifecycle: Lifecycle) -> dict[str, Any]:
    state = lifecycle.state
    last_runs = state.session.fetch(
        f"SELECT m.module, m.run_id, m.outcome, m.run_start_tstamp, m.run_end_tstamp, m.rows_this_run "
        f"FROM {state.metadata} m WHERE m.run_start_tstamp = (SELECT MAX(run_start_tstamp) "
        f"FROM {state.metadata} x WHERE x.module = m.module) ORDER BY m.module").rows
    backlog = state.session.fetch(
        f"SELECT o.staged_table, o.consumer, o.consumed_batch, COUNT(b.batch_id), COALESCE(SUM(b.rows_staged), 0) "
        f"FROM {state.offsets} o LEFT JOIN {state.batches} b ON b.staged_table = o.staged_table "
        f"AND b.batch_id > o.consumed_batch AND b.state = 'committed' "
        f"AND (b.consumer IS NULL OR b.consumer = o.consumer) "
        f"GROUP BY o.staged_table, o.consumer, o.consumed_batch ORDER BY o.staged_table, o.consumer").rows
    return {
        "target": lifecycle.target.name,
        "modules": [
            {"module": r[0], "run_id": r[1], "outcome": r[2], "started": _iso(r[3]), "ended": _iso(r[4]),
             "seconds": (r[4] - r[3]).total_seconds() if r[3] and r[4] else None, "rows": r[5]}
            for r in last_runs],
        "backlog": [
            {"staged_table": r[0], "consumer": r[1], "consumed_batch": r[2], "batches": int(r[3]), "rows": int(r[4])}
            for r in backlog],
        "high_water_marks": _high_water_marks(lifecycle),
        "checks": _latest_checks(lifecycle),
        "locks": [{"module": h.module, "run_id": h.run_id, "host": h.host, "pid": h.pid, "since": _iso(h.since)}
                  for h in lifecycle.locks.held()],
    }


def _latest_checks(lifecycle: Lifecycle) -> list[dict[str, Any]]:
    """Each data check's latest result."""
    state = lifecycle.state
    results = f"{state.output_schema}.dq_results{state.entropy}"
    rows = state.rows("SELECT r.module, r.check_name, r.severity, r.n_failing, r.run_id, r.checked_at "
                      f"FROM {results} r WHERE r.checked_at = (SELECT MAX(x.checked_at) FROM {results} x "
                      "WHERE x.module = r.module AND x.check_name = r.check_name) ORDER BY r.module, r.check_name")
    return [{"module": r[0], "check": r[1], "severity": r[2], "failing": int(r[3]), "run_id": r[4],
             "checked": _iso(r[5])} for r in rows]


def _high_water_marks(lifecycle: Lifecycle) -> dict[str, str | None]:
    state, marks = lifecycle.state, {}
    schema, entropy = lifecycle.variables["output_schema"], lifecycle.variables["entropy"]
    models = manifest_spec()["models"]
    for model in lifecycle.project.models:
        for table, column in models.get(model, {}).get("high_water_marks", {}).items():
            marks[table] = _iso(state.scalar(f"SELECT MAX({column}) FROM {schema}.{table}{entropy}"))
    return marks


def _iso(value: Any) -> str | None:
    return None if value is None else str(value)
