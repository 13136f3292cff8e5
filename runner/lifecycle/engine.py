"""The module lifecycle: main, complete, and the batches and offsets between modules.

`main` fixes the batches a module reads, runs its playbook (which computes `_this_run`
tables, upserts production tables and appends a pending batch to its `_staged` tables), and
records its figures. `complete` runs the module's complete playbook and, in the same
transaction, commits the module's batches and offsets, drops scratch tables per
`cleanup_mode`, and closes the run's metadata row; then it releases the staged rows every
consumer is past. So a killed run never advances an offset past uncommitted work, and
replaying complete is a no-op.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sluice.config import LIFECYCLE_DEFAULTS, Project
from sluice.errors import ArgumentError, ConfigError, DryRunError, QueryError, SluiceError, TemplateError
from sluice.families import project_renderer
from sluice.lifecycle import graph
from sluice.lifecycle.context import BatchRange, module_variables, run_names
from sluice.lifecycle.data_checks import DataChecks
from sluice.lifecycle.faults import fault_point
from sluice.lifecycle.locks import ModuleLocks
from sluice.lifecycle.metadata import RunMetadata
from sluice.lifecycle.modules import Module, discover, enabled, select
from sluice.lifecycle.scheduler import longest_path_first, run_in_parallel
from sluice.lifecycle.state import LifecycleState
from sluice.output import Reporter
from sluice.render.identifiers import check_identifiers
from sluice.render.renderer import Renderer
from sluice.render.variables import merge_variables
from sluice.sqlrunner.executor import (
    PlaybookRunner,
    RenderedQuery,
    RunOptions,
    parse_check,
    render_steps,
    select_steps,
)
from sluice.sqlrunner.playbook import Playbook, load_playbook
from sluice.targets import Session, Target

Plan = list[tuple[Module, str]]


#: a backfill "since" that means all of history
EVERYTHING = date(1970, 1, 1)


def new_run_id() -> str:
    return f"{datetime.now(timezone.utc):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Lane:
    """What one thread of a run works through: a session of its own, and the lifecycle state,
    module locks and run metadata on it."""

    session: Session
    state: LifecycleState
    locks: ModuleLocks
    metadata: RunMetadata


class Lifecycle:
    """Runs modules' main and complete steps on one target, under their locks.

    Building one reads and checks the project (modules, graph, variables) without touching
    the warehouse; `open()` connects and creates the lifecycle tables."""

    def __init__(self, project: Project, target: Target, cli_vars: Mapping[str, Any], reporter: Reporter,
                 wait: float = 0.0, names: Iterable[str] = ()):
        self.project = project
        self.target = target
        self.cli_vars = dict(cli_vars)
        self.reporter = reporter
        self.wait = wait
        self.all_modules = discover(project)
        self.modules = enabled(project, self.all_modules)
        self._validate(names)
        self.renderer = project_renderer(project, target.dialect)
        self.variables = check_identifiers(merge_variables(LIFECYCLE_DEFAULTS, project.vars, cli_vars),
                                           where="variables", dialect=target.dialect)
        #: --from-step: the main step each named module starts at
        self.from_step: dict[str, str] = {}
        #: time-driven modules that ran since the plan was prepared: the date does not move
        #: between the rounds of one catch-up, so a later round runs them only for new batches
        self.clock_read: set[str] = set()
        self._playbooks: dict[Path, Playbook] = {}
        #: the lane of each thread running phases in parallel (see _run_in_parallel)
        self._thread = threading.local()
        self._releasing = threading.Lock()  # see _release

    def open(self) -> Lifecycle:
        """Connect, create the lifecycle tables, register every enabled consumer."""
        self._lane = self._new_lane()
        self.state.ensure_tables(self.project.models)
        self.register_consumers()
        return self

    def _new_lane(self) -> Lane:
        session = self.target.connect()
        state = LifecycleState(session, self.renderer, self.variables)
        return Lane(session, state, ModuleLocks(state, warn=self.reporter.warning),
                    RunMetadata(state, self.variables["model_version"]))

    @property
    def lane(self) -> Lane:
        """This thread's lane: the one open() made, or a parallel phase's own."""
        return getattr(self._thread, "lane", None) or self._lane

    @property
    def session(self) -> Session:
        return self.lane.session

    @property
    def state(self) -> LifecycleState:
        return self.lane.state

    @property
    def locks(self) -> ModuleLocks:
        return self.lane.locks

    @property
    def metadata(self) -> RunMetadata:
        return self.lane.metadata

    def register_consumers(self) -> None:
        """Every enabled consumer holds its staged inputs from the moment it is discovered,
        so a module on a slow schedule never finds its batches released before its first run.
        Two processes starting at once on a new project can both find a consumer unregistered;
        the one whose insert collides rolls back and, once more, finds it registered."""
        for attempt in (1, 2):
            try:
                with self.session.transaction():
                    for module in self.modules.values():
                        for table in module.staged_inputs:
                            self.state.register_consumer(module.name, table)
                return
            except QueryError:
                if attempt == 2:
                    raise

    # -- planning --------------------------------------------------------------------------
    def _validate(self, names: Iterable[str]) -> None:
        select(self.all_modules, names)
        problems = graph.check(self.modules)
        if problems:
            raise ConfigError(str(problems[0]))
        for name in names:
            if name not in self.modules:
                raise ConfigError(f"module '{name}' is disabled in {self.project.file}")

    def plan(self, names: Iterable[str] = (), only: str | None = None) -> Plan:
        """(module, phase) pairs in lifecycle order, for the named modules or all enabled."""
        names = list(names)
        self._validate(names)
        nodes = graph.order(graph.build_graph(self.modules), names or None)
        pairs = [(self.modules[name], phase) for name, phase in map(graph.module_and_phase, nodes)]
        return [p for p in pairs if only is None or p[1] == only]

    def start_at(self, module: str, step: str) -> None:
        """`--from-step`: the module's main starts at this step (checked now)."""
        (chosen,) = select(self.modules, [module])
        book = self._playbook(chosen.main)
        try:
            book.step(step)
        except KeyError:
            known = ", ".join(s.name for s in book.steps)
            raise ArgumentError(f"--from-step: module '{module}' main has no step '{step}' (steps: {known})") from None
        self.from_step[module] = step

    def prepare(self, plan: Plan, destroyed: Iterable[Module] = ()) -> dict[tuple[str, str], list[list[RenderedQuery]]]:
        """Render every playbook of the plan before anything runs, so a template error in the
        last module stops the run before the first one commits. Batch ranges are not known
        yet: the rendering reads none (the rendering at run time uses the real ones). The
        tables of `destroyed` modules render as absent, as they will be when those run (a full
        refresh: a module that refuses to run on tables of an old shape must not refuse the
        rebuild that replaces them)."""
        produced = [name for module in destroyed for name in module.produces + module.scratch]
        gone = {f"{name}{self.state.entropy}".lower() for name in produced} if produced else set()
        self.clock_read.clear()  # a new run or catch-up starts here
        rendered = {}
        for module, phase in plan:
            book = self._playbook(module.main if phase == "main" else module.complete)
            inputs = {t: (0, 0) for t in module.staged_inputs}
            rendered[module.name, phase] = self._render(module, phase, book, "dry-run", 1, inputs, gone=gone)
        return rendered

    def dry_run(self, plan: Plan) -> None:
        """Render and parse every statement of the plan in the target's dialect; run nothing."""
        try:
            rendered = self.prepare(plan)
            for (module, phase), steps in rendered.items():
                parse_check(steps, self.target.dialect)
                self.reporter.line(f"module '{module}' {phase}: {sum(len(s) for s in steps)} queries render "
                                   f"and parse as {self.target.dialect} (dry run)")
        except TemplateError as exc:
            raise DryRunError(f"dry run: {exc}") from None

    # -- running ---------------------------------------------------------------------------
    def run(self, plan: Plan, run_id: str | None = None) -> str:
        """Render the whole plan, then run it; each module holds its lock from its first phase
        to its last. Returns the run id."""
        self.prepare(plan)
        return self._run(plan, run_id)

    def _run(self, plan: Plan, run_id: str | None = None) -> str:
        run_id = run_id or new_run_id()
        if self.project.parallel_modules > 1 and len({m.name for m, _ in plan}) > 1 and not self._ends_runs(plan):
            self._run_in_parallel(plan, run_id)
        else:
            run_id = self._run_in_order(plan, run_id)
        self.session.analyse_written()
        return run_id

    def _run_in_order(self, plan: Plan, run_id: str) -> str:
        last_phase = {m.name: i for i, (m, _) in enumerate(plan)}
        held: set[str] = set()
        try:
            for i, (module, phase) in enumerate(plan):
                if module.name not in held:
                    self.locks.acquire(module.name, run_id, self.wait)
                    held.add(module.name)
                ends = self._phase(module, phase, run_id)
                if last_phase[module.name] == i:
                    self.locks.release(module.name, run_id)
                    held.discard(module.name)
                if ends:
                    run_id = new_run_id()
        finally:
            for name in held:
                self.locks.release(name, run_id)
        return run_id

    def _run_in_parallel(self, plan: Plan, run_id: str) -> None:
        """The plan's phases on up to `parallel_modules` threads, each phase once those it waits
        for in the lifecycle graph have finished; each thread on a lane of its own. A complete
        writes only its module's tables and lifecycle rows; the staged rows its consumers share
        are released after it commits, one release at a time (see _release)."""
        nodes = [graph.node(module.name, phase) for module, phase in plan]
        modules = {module.name: module for module, _ in plan}
        first = {module.name: graph.node(module.name, phase) for module, phase in reversed(plan)}
        last = {module.name: graph.node(module.name, phase) for module, phase in plan}
        held: set[str] = set()
        lanes: list[Lane] = []
        guard = threading.Lock()

        def work(node: str) -> None:
            name, phase = graph.module_and_phase(node)
            if getattr(self._thread, "lane", None) is None:
                self._thread.lane = self._new_lane()
                with guard:
                    lanes.append(self._thread.lane)
            if first[name] == node:
                self.locks.acquire(name, run_id, self.wait)
                with guard:
                    held.add(name)
            self._phase(modules[name], phase, run_id)
            if last[name] == node:
                self.locks.release(name, run_id)
                with guard:
                    held.discard(name)

        waits = graph.waits_for(graph.build_graph(self.modules), nodes)
        try:
            run_in_parallel(longest_path_first(nodes, waits, self.metadata.last_seconds()), waits,
                            self.project.parallel_modules, work)
        finally:
            for name in held:
                self.locks.release(name, run_id)
            for lane in lanes:
                self.target.disconnect(lane.session)

    def _ends_runs(self, plan: Plan) -> bool:
        """Whether a module of the plan starts a new run id after its complete (`ends_run`):
        those plans run one phase after another, so the run ids follow the order."""
        return any(self._module_variables(m, self._playbook(m.complete)).get("ends_run")
                   for m, phase in plan if phase == "complete")

    def catch_up(self, names: Iterable[str] = (), max_rounds: int = 1000) -> int:
        """Run the plan again and again until its windowed source modules stage nothing new:
        each base run takes at most `update_cadence_days` of event time, so history arrives in
        several rounds. Consumers take every pending batch and run after their producers, so
        a round that no windowed module staged rows in left nothing behind."""
        plan = self.plan(names)
        self.prepare(plan)
        windowed = sorted({module.name for module, _ in plan if module.reads_in_windows})
        for rounds in range(1, max_rounds + 1):
            before = self.state.next_batch_id()
            self._run(plan)
            if not windowed or self.state.rows_staged_since(before, windowed) == 0:
                return rounds
        raise ConfigError(f"still staging new rows after {max_rounds} rounds")

    def _phase(self, module: Module, phase: str, run_id: str) -> bool:
        """One module's main or complete, reported with its time (and main's rows); returns
        whether it ends the run (`ends_run`)."""
        self.reporter.module_started(module.name, phase, run_id)
        started = time.monotonic()
        try:
            if phase == "main":
                rows, ends = self.main(module, run_id), False
            else:
                rows, ends = None, self.complete(module, run_id)
        except BaseException as exc:
            self.reporter.module_finished(module.name, phase, time.monotonic() - started,
                                          error=str(exc) or type(exc).__name__)
            raise
        self.reporter.module_finished(module.name, phase, time.monotonic() - started, rows)
        return ends

    def main(self, module: Module, run_id: str) -> int | None:
        """Run the module's main; returns its rows this run (None when module.yml declares no
        `metadata` to count them)."""
        book = self._playbook(module.main)
        with self.session.transaction():
            batch_id = self.state.next_batch_id() if module.staged else None
            if batch_id is not None:
                self.state.open_batches(module.name, module.staged, run_id, batch_id)
            inputs = {t: self.state.take_pending(module.name, t) for t in module.staged_inputs}
            self.metadata.start(module, run_id)
            clock_due = module.time_driven and module.name not in self.clock_read
            if module.time_driven:
                self.clock_read.add(module.name)
            if inputs and not clock_due and all(after == upto for after, upto in inputs.values()):
                # Nothing new in any input: record the run, skip the SQL (a run with nothing
                # new must cost next to nothing) and leave complete nothing to commit.
                self.metadata.nothing_new(module, run_id)
                self.reporter.line(f"module '{module.name}': no new batches, nothing to do")
                return 0
        try:
            rendered = self._render(module, "main", book, run_id, batch_id, inputs)
            self._execute(module, "main", rendered, run_id)
        except SluiceError as exc:
            self.metadata.failed(module, run_id, exc)
            raise
        with self.session.transaction():
            self.state.count_pending_rows(module.name)
            figures = self.metadata.main_done(module, run_id)
        fault_point(f"{module.name}:main:end")
        return figures.get("rows_this_run")

    def complete(self, module: Module, run_id: str) -> bool:
        if not self.metadata.awaiting_complete(module):
            # Nothing to commit: complete already ran, or main did not finish. Committing now
            # would advance offsets past work that never happened.
            self.reporter.line(f"module '{module.name}': nothing to complete (no finished main pending)")
            return False
        book = self._playbook(module.complete)
        inputs = {}
        for table in module.staged_inputs:
            offset = self.state.register_consumer(module.name, table)
            inputs[table] = (offset.consumed_batch, offset.pending_batch or offset.consumed_batch)
        rendered = self._render(module, "complete", book, run_id, None, inputs)
        with self.session.transaction():
            self._run_in_transaction(module, rendered)
            self.state.commit_batches(module.name)
            self.state.commit_offsets(module.name)
            completed = self.metadata.complete(module)
            self._cleanup(module, book)
        released = self._release(module)
        self.metadata.ended(module, completed)
        self.target.reclaim(self.session, [self.state.staged_table(table) for table in released])
        fault_point(f"{module.name}:complete:end")
        return bool(self._module_variables(module, book).get("ends_run"))

    def _release(self, module: Module) -> list[str]:
        """Delete the staged rows of the module's inputs that every consumer is past, once its
        offsets are committed; returns the tables that lost rows. Its own transaction, one at
        a time: consumers of one table completing side by side (parallel_modules) would
        otherwise release the same batches in two open transactions, which DuckDB fails. A
        release that never ran (a kill just before) is made by the next one: it takes every
        batch every consumer is past."""
        with self._releasing, self.session.transaction():
            return [table for table in module.staged_inputs if self.state.release(table)]

    def full_refresh(self, names: Iterable[str] = ()) -> list[str]:
        """Rebuild the named modules (all, by default) and every module downstream of them
        from the input that is retained, as dbt's --full-refresh does: their tables, manifests,
        offsets and batches are destroyed; what they read from a module left alone is
        re-staged for them by its producer's backfill playbook; then they catch up.
        Returns the rebuilt modules in lifecycle order."""
        rebuilt = graph.downstream(graph.build_graph(self.modules), list(names) or list(self.modules))
        chosen = [self.modules[name] for name in rebuilt]
        self.prepare(self.plan(rebuilt), destroyed=chosen)  # render everything first, as a run does
        restages = [(self._producer_of(table), module, table) for module in chosen for table in module.staged_inputs
                    if self._producer_of(table).name not in rebuilt]
        for producer, _, table in restages:  # before anything is destroyed: a refusal then costs nothing
            if producer.backfill is None:
                raise ConfigError(f"--full-refresh: module '{producer.name}' produces {table} but has no backfill "
                                  f"playbook to re-stage it; rebuild '{producer.name}' too")
        for module in reversed(chosen):
            self.destroy(module)
        self.state.ensure_tables(self.project.models)  # a destroyed module's manifests, empty again
        self.register_consumers()  # at the head: they must read only what is staged from now on
        run_id = new_run_id()
        for producer, module, table in restages:
            self._locked_restage(producer, module, table, run_id, EVERYTHING)
        self.catch_up(rebuilt)
        return rebuilt

    def backfill(self, name: str, since: date) -> None:
        """Replay history into a consumer's staged inputs as batches addressed to it alone,
        produced by each input's producer from its `backfill` playbook; then run the consumer.
        Standard tables are not touched: producers only re-stage what they already processed."""
        (consumer,) = select(self.modules, [name])
        plan = self.plan([name])
        self.prepare(plan)
        run_id = new_run_id()
        for table in consumer.staged_inputs:
            self._locked_restage(self._producer_of(table), consumer, table, run_id, since)
        self._run(plan, run_id)

    def _locked_restage(self, producer: Module, consumer: Module, table: str, run_id: str, since: date) -> None:
        if producer.backfill is None:
            raise ConfigError(f"module '{producer.name}' produces {table} but has no backfill playbook")
        self.locks.acquire(producer.name, run_id, self.wait)
        try:
            self._restage(producer, consumer, table, run_id, since)
        finally:
            self.locks.release(producer.name, run_id)

    def _restage(self, producer: Module, consumer: Module, table: str, run_id: str, since: date) -> None:
        book = self._playbook(producer.backfill)
        extra = {"backfill_since": since.isoformat(), "backfill_consumer": consumer.name, "backfill_table": table}
        with self.session.transaction():
            self.state.register_consumer(consumer.name, table, at_batch=self.state.head(table, consumer.name))
            batch_id = self.state.next_batch_id()
            rendered = self._render(producer, "backfill", book, run_id, batch_id, {}, extra)
            self.state.open_batches(producer.name, (table,), run_id, batch_id, consumer=consumer.name)
        self._execute(producer, "backfill", rendered)
        with self.session.transaction():
            self.state.count_pending_rows(producer.name)
            self.state.commit_batches(producer.name)

    def destroy(self, module: Module) -> None:
        """Run the module's destroy playbook, drop what it declares, forget its state."""
        run_id = new_run_id()
        rendered = None
        if module.destroy is not None:
            rendered = self._render(module, "destroy", self._playbook(module.destroy), run_id, None, {})
        self.locks.acquire(module.name, run_id, self.wait)
        try:
            if rendered is not None:
                self._execute(module, "destroy", rendered)
            with self.session.transaction():
                for table in module.staged + module.this_run + module.scratch:
                    self.state.run(f"DROP TABLE IF EXISTS {self.state.staged_table(table)}")
                self.state.forget(module.name)
        finally:
            self.locks.release(module.name, run_id)

    def _producer_of(self, table: str) -> Module:
        for module in self.modules.values():
            if table in module.staged:
                return module
        raise ConfigError(f"no enabled module produces {table}")

    # -- pieces ----------------------------------------------------------------------------
    def _playbook(self, path: Path) -> Playbook:
        if path not in self._playbooks:
            self._playbooks[path] = load_playbook(path, self.cli_vars, Renderer(None), project_root=self.project.root)
        return self._playbooks[path]

    def _module_variables(self, module: Module, book: Playbook) -> dict[str, Any]:
        return module_variables(self.project, module, book, self.cli_vars, self.target.dialect)

    def _render(self, module: Module, phase: str, book: Playbook, run_id: str, batch_id: int | None,
                inputs: Mapping[str, BatchRange], extra: Mapping[str, Any] | None = None,
                gone: Collection[str] = ()) -> list[list[RenderedQuery]]:
        variables = self._module_variables(module, book)
        # a dry run renders without a connection: every output then looks new
        state = getattr(self, "state", None)
        known: dict[str, list[str]] = {}

        def columns(relation: str) -> list[str]:
            # Nothing runs while a playbook renders, so one lookup per table serves all its files.
            if relation not in known:
                known[relation] = [] if relation.rpartition(".")[2].lower() in gone else state.columns(relation)
            return known[relation]

        names = run_names(module, run_id, batch_id, inputs, variables, columns if state else None)
        variables.update(names, **(extra or {}))
        steps = book.steps
        if phase == "main" and module.name in self.from_step:
            steps = select_steps(book, RunOptions(from_step=self.from_step[module.name]))
        return render_steps(steps, self.renderer, variables, owner=f"module '{module.name}' {phase}",
                            project_root=self.project.root)

    def _execute(self, module: Module, phase: str, rendered: list[list[RenderedQuery]],
                 run_id: str | None = None) -> None:
        runner = PlaybookRunner(self.target, self.reporter,
                                after_step=lambda step: fault_point(f"{module.name}:{phase}:{step}"),
                                run_check=DataChecks(self.state, self.reporter, module, run_id or new_run_id()))
        runner.run(rendered)

    def _run_in_transaction(self, module: Module, rendered: list[list[RenderedQuery]]) -> None:
        for step in rendered:
            for rq in step:
                started = time.monotonic()
                try:
                    result = self.session.execute(rq.sql)
                except QueryError as exc:
                    raise rq.failure(exc) from exc
                self.reporter.query_finished(self.target.name, rq.step, rq.query.name, result.rows_affected,
                                             time.monotonic() - started)
            fault_point(f"{module.name}:complete:{step[0].step}")

    def _cleanup(self, module: Module, book: Playbook) -> None:
        mode = self._module_variables(module, book)["cleanup_mode"]
        drop = {"all": module.this_run + module.scratch, "debug": module.scratch, "trace": ()}[mode]
        for table in drop:
            self.state.run(f"DROP TABLE IF EXISTS {self.state.staged_table(table)}")
