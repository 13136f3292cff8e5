"""Sluice from Python: what the `sluice` command does, for a program (an orchestrator, a
notebook, a test). The command line is a thin layer over this module.

    from sluice.api import Sluice

    with Sluice("analytics", target="pg") as project:
        result = project.run(catch_up=True)
        for run in result.module_runs:
            print(run.module, run.outcome, run.rows, run.seconds)
        print(project.status().backlog)

What it does is reported as records of the `sluice.*` loggers (see `sluice.output`): nothing
is printed until the program configures logging, and an orchestrator's own log (Airflow's task
log) shows the same lines as the command line.
Every error a caller can cause is a `sluice.errors.SluiceError` subclass, with the exit status
the command line would use in `exit_code`: `LockHeld` when a module is busy, `QueryError` when
the warehouse refused a statement, `ConfigError` for a bad project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sluice.config import load_project
from sluice.lifecycle import graph, schedule
from sluice.lifecycle.engine import Lifecycle
from sluice.lifecycle.modules import select
from sluice.lifecycle.status import collect
from sluice.output import Reporter

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ModuleInfo", "ModuleRun", "RunResult", "Status", "Sluice"]


@dataclass(frozen=True)
class ModuleRun:
    """One module's run, as `datamodel_metadata` recorded it."""

    module: str
    run_id: str
    #: complete, main_done (complete still to run), failed or abandoned
    outcome: str
    rows: int | None
    seconds: float | None


@dataclass(frozen=True)
class ModuleInfo:
    """One enabled module as an orchestrator schedules it."""

    name: str
    description: str
    #: `modules.<name>.schedule` in sluice.yml (a checked cron expression), or None
    schedule: str | None
    #: tables of other modules it reads once their producer's complete has committed them
    #: (staged and production tables), in the order it declares them
    reads: tuple[str, ...]
    #: `_this_run` tables of other modules it reads between their producer's main and complete
    reads_this_run: tuple[str, ...]
    #: the staged and production tables it writes, committed by its complete
    writes: tuple[str, ...]


@dataclass(frozen=True)
class RunResult:
    module_runs: tuple[ModuleRun, ...]
    #: rounds of a catch-up (1 for a single run)
    rounds: int = 1
    #: modules rebuilt by a full refresh
    rebuilt: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(run.rows or 0 for run in self.module_runs)


@dataclass(frozen=True)
class Status:
    target: str
    #: the last run of each module
    modules: list[dict[str, Any]]
    #: per consumer and staged table: batches and rows waiting
    backlog: list[dict[str, Any]]
    high_water_marks: dict[str, str | None]
    locks: list[dict[str, Any]]
    #: each data check's latest result
    checks: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "modules": self.modules, "backlog": self.backlog,
                "high_water_marks": self.high_water_marks, "locks": self.locks, "checks": self.checks}


class Sluice:
    """A project on one target. It connects when an operation first needs the warehouse, after
    the operation's arguments and the project are checked; `close()` (or leaving the `with`
    block) disconnects."""

    def __init__(self, project_dir: str | Path | None = None, target: str | None = None,
                 vars: Mapping[str, Any] | None = None, reporter: Reporter | None = None, wait: float = 0.0):
        self.project = load_project(Path(project_dir) if project_dir is not None else None)
        self.target = self.project.target(target)
        self.lifecycle = Lifecycle(self.project, self.target, dict(vars or {}), reporter or Reporter(), wait=wait)
        self._open = False

    # -- connection ------------------------------------------------------------------------
    def open(self) -> Sluice:
        if not self._open:
            self.lifecycle.open()
            self._open = True
        return self

    def close(self) -> None:
        self.target.close()
        self._open = False

    def __enter__(self) -> Sluice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running ---------------------------------------------------------------------------
    @property
    def modules(self) -> list[str]:
        """The enabled modules, in lifecycle order."""
        return [module.name for module, phase in self.lifecycle.plan() if phase == "main"]

    def module_info(self) -> list[ModuleInfo]:
        """The enabled modules in lifecycle order: schedules and what they read from one
        another, from the project's files alone (nothing connects)."""
        lifecycle_graph = graph.build_graph(self.lifecycle.modules)
        return [self._module_info(lifecycle_graph, name) for name in self.modules]

    def _module_info(self, lifecycle_graph: nx.DiGraph, name: str) -> ModuleInfo:
        module = self.lifecycle.modules[name]
        expression = self.project.module_settings(name).schedule
        # The graph's edges into this module's main say what it waits for: a producer's
        # complete (committed tables) or a producer's main (its `_this_run` tables).
        waits: dict[str, list[str]] = {"main": [], "complete": []}
        for source, _, tables in lifecycle_graph.in_edges(graph.node(name, "main"), data="table"):
            if tables:
                waits[lifecycle_graph.nodes[source]["phase"]] += tables.split(", ")
        declared = [t for t in module.consumes if t in waits["complete"]]
        return ModuleInfo(name, module.description, expression and schedule.check_expression(expression, name),
                          tuple(declared), tuple(waits["main"]), module.staged + module.tables)

    def run(self, modules: Iterable[str] = (), only: str | None = None, catch_up: bool = False,
            full_refresh: bool = False, run_id: str | None = None, from_step: str | None = None) -> RunResult:
        """Run modules' main and complete (all enabled modules by default); `only='main'` or
        `'complete'` runs one phase; `catch_up` repeats until nothing new is staged;
        `full_refresh` rebuilds the modules and their dependents from the retained input."""
        modules = list(modules)
        plan = self.lifecycle.plan(modules, only)  # a bad name fails before anything connects
        if from_step is not None:
            (module,) = modules
            self.lifecycle.start_at(module, from_step)
        self.open()
        since = self._clock()
        if full_refresh:
            rebuilt = self.lifecycle.full_refresh(modules)
            return RunResult(self._runs_since(since), rebuilt=tuple(rebuilt))
        if catch_up:
            rounds = self.lifecycle.catch_up(modules)
            return RunResult(self._runs_since(since), rounds=rounds)
        self.lifecycle.run(plan, run_id)
        return RunResult(self._runs_since(since))

    def complete(self, module: str) -> RunResult:
        """Replay one module's complete step: a no-op unless a finished main awaits it."""
        return self.run([module], only="complete")

    def backfill(self, module: str, since: date) -> RunResult:
        """Replay history into a (new) module's staged inputs, then run it."""
        self.lifecycle.plan([module])
        self.open()
        started = self._clock()
        self.lifecycle.backfill(module, since)
        return RunResult(self._runs_since(started))

    def dry_run(self, modules: Iterable[str] = (), only: str | None = None) -> None:
        """Render and parse every statement of the plan in the target's dialect; run nothing,
        connect to nothing."""
        self.lifecycle.dry_run(self.lifecycle.plan(list(modules), only))

    def tick(self) -> list[str]:
        """Run every module whose schedule says it is due; return those that ran."""
        self.open()
        return schedule.tick(self.lifecycle)

    def destroy(self, module: str) -> None:
        """Drop every table a module owns, its offsets and batches included."""
        (chosen,) = select(self.lifecycle.modules, [module])
        self.open()
        self.lifecycle.destroy(chosen)

    # -- looking ---------------------------------------------------------------------------
    def status(self) -> Status:
        self.open()
        report = collect(self.lifecycle)
        return Status(report["target"], report["modules"], report["backlog"], report["high_water_marks"],
                      report["locks"], report["checks"])

    def _clock(self) -> datetime:
        """The warehouse's now: run metadata is stamped with its clock, not this machine's."""
        state = self.lifecycle.state
        return state.scalar(f"SELECT {state.now}")

    def _runs_since(self, since: datetime) -> tuple[ModuleRun, ...]:
        state = self.lifecycle.state
        rows = state.rows(f"SELECT module, run_id, outcome, rows_this_run, run_start_tstamp, run_end_tstamp "
                          f"FROM {state.metadata} WHERE run_start_tstamp >= :since "
                          "ORDER BY run_start_tstamp, module", since=since)
        return tuple(ModuleRun(module, run_id, outcome, rows_this_run,
                               (end - start).total_seconds() if start and end else None)
                     for module, run_id, outcome, rows_this_run, start, end in rows)
