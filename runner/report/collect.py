"""What `sluice report` shows, read from the warehouse through the Python API: per enabled
module its recent runs (`datamodel_metadata`), the backlog waiting for it, its lock and its
data checks' latest results (`sluice status`, `dq_results`); per enabled family its headline
numbers (`headlines.py`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sluice.api import Sluice, Status
from sluice.families import enabled_families
from sluice.lifecycle.modules import Module
from sluice.report.headlines import FamilyHeadlines, family_headlines

#: runs per module the report shows unless told otherwise
DEFAULT_RUNS = 50


@dataclass(frozen=True)
class RunPoint:
    run_id: str
    #: complete, main_done, failed, abandoned or running
    outcome: str
    started: datetime
    rows: int | None
    seconds: float | None


@dataclass(frozen=True)
class CheckResult:
    check: str
    severity: str
    failing: int
    run_id: str
    checked: str
    #: a few failing rows, as recorded (None when the check passed)
    sample: list[dict[str, Any]] | None = None

    @property
    def verdict(self) -> str:
        """pass, or the severity of a check that found rows (warn, critical)."""
        return "pass" if self.failing == 0 else self.severity


@dataclass(frozen=True)
class ModuleReport:
    name: str
    #: the model family it comes from, or "custom"
    family: str
    description: str
    #: its latest runs, oldest first
    runs: tuple[RunPoint, ...]
    #: per staged table it consumes: batches and rows waiting for it
    backlog: tuple[dict[str, Any], ...]
    #: who holds its lock, or None
    lock: dict[str, Any] | None
    checks: tuple[CheckResult, ...]

    @property
    def last_run(self) -> RunPoint | None:
        return self.runs[-1] if self.runs else None

    @property
    def waiting_rows(self) -> int:
        return sum(entry["rows"] for entry in self.backlog)


@dataclass(frozen=True)
class Report:
    project: str
    target: str
    dialect: str
    generated_at: datetime
    modules: tuple[ModuleReport, ...]
    families: tuple[FamilyHeadlines, ...]
    high_water_marks: dict[str, str | None]
    #: the most runs shown per module
    runs_shown: int


def collect(project: Sluice, runs: int = DEFAULT_RUNS) -> Report:
    """Everything the page shows, read in one go (the project connects if it has not)."""
    status = project.status()
    lifecycle = project.lifecycle
    history, samples = _run_history(project, runs), _samples(project, status)
    families = {f.folder: f.name for f in enabled_families(lifecycle.project)}
    modules = tuple(_module_report(module, families.get(module.folder.parent, "custom"), status,
                                   history.get(module.name, ()), samples)
                    for module in (lifecycle.modules[name] for name in project.modules))
    return Report(
        project=lifecycle.project.root.resolve().name, target=status.target,
        dialect=lifecycle.target.dialect, generated_at=datetime.now(timezone.utc).replace(microsecond=0),
        modules=modules, families=tuple(family_headlines(lifecycle)),
        high_water_marks=status.high_water_marks, runs_shown=runs)


def _module_report(module: Module, family: str, status: Status, runs: tuple[RunPoint, ...],
                   samples: dict[tuple[str, str], list[dict[str, Any]]]) -> ModuleReport:
    return ModuleReport(
        name=module.name, family=family, description=" ".join(module.description.split()), runs=runs,
        backlog=tuple(entry for entry in status.backlog if entry["consumer"] == module.name),
        lock=next((lock for lock in status.locks if lock["module"] == module.name), None),
        checks=tuple(CheckResult(c["check"], c["severity"], c["failing"], c["run_id"], c["checked"],
                                 samples.get((module.name, c["check"])))
                     for c in status.checks if c["module"] == module.name))


def _run_history(project: Sluice, runs: int) -> dict[str, tuple[RunPoint, ...]]:
    """Each module's latest `runs` runs, oldest first: one window over the run metadata."""
    state = project.lifecycle.state
    rows = state.rows(
        "SELECT module, run_id, outcome, run_start_tstamp, run_end_tstamp, rows_this_run FROM ("
        "SELECT m.*, ROW_NUMBER() OVER (PARTITION BY m.module ORDER BY m.run_start_tstamp DESC) AS recency "
        f"FROM {state.metadata} AS m) AS r WHERE r.recency <= :runs ORDER BY module, run_start_tstamp", runs=runs)
    history: dict[str, list[RunPoint]] = {}
    for module, run_id, outcome, start, end, rows_this_run in rows:
        seconds = (end - start).total_seconds() if start and end else None
        history.setdefault(module, []).append(RunPoint(run_id, outcome, start, rows_this_run, seconds))
    return {module: tuple(points) for module, points in history.items()}


def _samples(project: Sluice, status: Status) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The failing rows `dq_results` kept for each check whose latest result failed."""
    state = project.lifecycle.state
    results = f"{state.output_schema}.dq_results{state.entropy}"
    samples = {}
    for check in status.checks:
        if check["failing"]:
            sample = state.scalar(f"SELECT sample FROM {results} WHERE module = :module AND check_name = :check "
                                  "AND run_id = :run_id ORDER BY checked_at DESC LIMIT 1",
                                  module=check["module"], check=check["check"], run_id=check["run_id"])
            samples[check["module"], check["check"]] = json.loads(sample) if sample else []
    return samples
