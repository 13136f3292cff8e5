"""Airflow 3: one DAG per enabled module of a project (`pip install "sluice[airflow]"`).

A DAG file in Airflow's dags folder is two lines:

    from sluice.airflow import build_dags
    globals().update(build_dags("/srv/analytics"))

Each module's DAG holds two tasks, `main` then `complete`, each one phase run through
`sluice.api`, so an operator can clear `complete` alone and run it again (a replayed complete
is a no-op unless a finished main awaits it). A DAG runs on its module's cron `schedule` from
sluice.yml. The tables modules share are Airflow assets: the producer's `complete` writes them
(its outlets), the consumer's `main` reads them (its inlets); a module with no cron schedule
that reads other modules' tables runs once all of them have been committed anew, and one that
reads none is triggered by hand.

A module whose lock is held (another run of it, or a DuckDB file held past its `lock_timeout`)
raises AirflowRescheduleException: the task waits in `up_for_reschedule` and tries again after
`reschedule_after`, using none of its retries. A failed critical data check raises
AirflowFailException with the check's message: retrying cannot fix the data. Sluice's lines
go through the `sluice` logger, so the task log shows what the command line prints.

Building the DAGs reads the project's files only; Airflow parses DAG files often, and no
warehouse is touched while it does.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

try:
    from airflow.exceptions import AirflowRescheduleException
    from airflow.sdk import DAG, Asset, BaseOperator
except ModuleNotFoundError as exc:
    if not (exc.name or "").startswith("airflow"):
        raise
    raise ModuleNotFoundError('sluice.airflow needs Apache Airflow 3: pip install "sluice[airflow]"') from None
try:  # newer Airflow 3 releases keep it in the Task SDK (airflow.exceptions' copy warns as deprecated)
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:
    from airflow.exceptions import AirflowFailException

from sluice.api import ModuleInfo, Sluice
from sluice.errors import CheckFailed, ConfigError, LockHeld
from sluice.output import Reporter

__all__ = ["ModulePhaseOperator", "build_dags", "run_phase"]

LOG = logging.getLogger("sluice")
PHASES = ("main", "complete")
#: how long a task whose module is locked waits before it tries again
RESCHEDULE_AFTER = timedelta(minutes=1)
#: a start date in the past: with catchup off, a DAG's first run is its latest interval
START_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)


def build_dags(project_dir: str | Path, target: str | None = None, *, prefix: str = "sluice",
               reschedule_after: timedelta = RESCHEDULE_AFTER, **dag_options: Any) -> dict[str, DAG]:
    """One DAG per enabled module, by DAG id (`<prefix>_<module>`). `prefix` keeps two projects
    (or two targets of one) apart in one Airflow; `dag_options` go to every `DAG(...)` and win
    over the defaults here (`default_args`, `tags`, `start_date`...)."""
    project_dir = Path(project_dir).resolve()
    with Sluice(project_dir, target) as project:  # reads the project; connects to nothing
        target_name = project.target.name
        modules = project.module_info()
    dags = {}
    for module in modules:
        _refuse_this_run_inputs(module)
        dag = _module_dag(module, prefix, target_name, dag_options)
        main, complete = (ModulePhaseOperator(task_id=phase, dag=dag, project_dir=str(project_dir),
                                              target_name=target, module_name=module.name, phase=phase,
                                              reschedule_after=reschedule_after) for phase in PHASES)
        # lineage: what main reads, what complete commits
        main.inlets = [table_asset(prefix, target_name, t) for t in module.reads]
        complete.outlets = [table_asset(prefix, target_name, t) for t in module.writes]
        main >> complete
        dags[dag.dag_id] = dag
    return dags


def table_asset(prefix: str, target: str, table: str) -> Asset:
    """The Airflow asset of one table a module writes, in one project (`prefix`) on one target."""
    return Asset(name=f"{prefix}.{target}.{table}", uri=f"x-sluice://{prefix}/{target}/{table}")


def _module_dag(module: ModuleInfo, prefix: str, target: str, options: dict[str, Any]) -> DAG:
    if module.schedule:
        schedule: Any = module.schedule
    elif module.reads:
        schedule = [table_asset(prefix, target, t) for t in module.reads]  # a list waits for all of them
    else:
        schedule = None
    settings = {"schedule": schedule, "start_date": START_DATE, "catchup": False, "max_active_runs": 1,
                "description": module.description or None, "tags": ["sluice"], **options}
    return DAG(dag_id=f"{prefix}_{module.name}", **settings)


def _refuse_this_run_inputs(module: ModuleInfo) -> None:
    if module.reads_this_run:
        raise ConfigError(
            f"module '{module.name}' reads {module.reads_this_run[0]}, which exists only between its "
            "producer's main and complete: it cannot be a DAG of its own (read the producer's _staged "
            "table instead)")


class ModulePhaseOperator(BaseOperator):
    """Runs one phase (`main` or `complete`) of one module of a Sluice project."""

    ui_color = "#d8ecf3"

    def __init__(self, *, project_dir: str, target_name: str | None, module_name: str, phase: str,
                 reschedule_after: timedelta = RESCHEDULE_AFTER, **kwargs: Any):
        super().__init__(**kwargs)
        self.project_dir = project_dir
        self.target_name = target_name
        self.module_name = module_name
        self.phase = phase
        self.reschedule_after = reschedule_after

    def execute(self, context: Any) -> list[dict[str, Any]]:
        return run_phase(self.project_dir, self.target_name, self.module_name, self.phase, self.reschedule_after)


def run_phase(project_dir: str | Path, target: str | None, module: str, phase: str,
              reschedule_after: timedelta = RESCHEDULE_AFTER) -> list[dict[str, Any]]:
    """Run one phase of one module, with Sluice's outcomes in Airflow's terms; return the
    module runs it recorded (the task's XCom)."""
    with Sluice(project_dir, target, reporter=Reporter()) as project:
        try:
            result = project.run([module], only=phase)
        except LockHeld as exc:
            LOG.warning("%s: trying again in %s", exc, reschedule_after)
            raise AirflowRescheduleException(reschedule_date=datetime.now(timezone.utc) + reschedule_after) from exc
        except CheckFailed as exc:
            raise AirflowFailException(str(exc)) from exc
    return [asdict(run) for run in result.module_runs]
