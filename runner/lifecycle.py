"""The module lifecycle: main, complete, and the batches and offsets between modules.

`main` fixes the batches a module reads, runs its playbook (which computes `_this_run`
tables, upserts production tables and appends a pending batch to its `_staged` tables), and
records its figures. `complete` runs the module's complete playbook and, in the same
transaction, commits the module's batches and offsets, releases staged rows every consumer
is past, drops scratch tables per `cleanup_mode`, and closes the run's metadata row. So a
killed run never advances an offset past uncommitted work, and replaying complete is a no-op.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from runner import __version__, graph
from runner.config import Project
from runner.errors import ConfigError, SluiceError
from runner.executor import PlaybookRunner, RenderedQuery, render_steps
from runner.faults import fault_point
from runner.locks import ModuleLocks
from runner.metadata import RunMetadata
from runner.modules import Module, discover, enabled, select
from runner.output import Reporter
from runner.playbook import Playbook, load_playbook
from runner.state import LifecycleState, literal
from runner.targets import Target
from runner.templates import Renderer, check_identifier, check_identifiers, merge_variables

#: the lifecycle's variables, declared once; playbooks, sluice.yml and --var override them
LIFECYCLE_DEFAULTS: dict[str, Any] = {
    "input_schema": "atomic",
    "scratch_schema": "scratch",
    "output_schema": "derived",
    "entropy": "",
    "cleanup_mode": "all",
    "ends_run": False,
    "model_version": __version__,
}
CLEANUP_MODES = ("all", "debug", "trace")


def new_run_id() -> str:
    return f"{datetime.now(timezone.utc):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


class Lifecycle:
    """Runs modules' main and complete steps on one target, under their locks."""

    def __init__(self, project: Project, target: Target, cli_vars: Mapping[str, Any], reporter: Reporter,
                 wait: float = 0.0, names: Iterable[str] = ()):
        self.project = project
        self.target = target
        self.cli_vars = dict(cli_vars)
        self.reporter = reporter
        self.wait = wait
        self.all_modules = discover(project)
        self.modules = enabled(project, self.all_modules)
        self._validate(names)  # before connecting: a bad project runs nothing, creates nothing
        self.renderer = Renderer(target.dialect, [project.root / "sql" / "macros"])
        self.variables = merge_variables(LIFECYCLE_DEFAULTS, project.vars, cli_vars)
        check_identifiers(self.variables, where="variables")
        self.session = target.connect()
        self.state = LifecycleState(self.session, self.renderer, self.variables)
        self.locks = ModuleLocks(self.state, warn=reporter.warning)
        self.metadata = RunMetadata(self.state, self.variables["model_version"])
        self.state.ensure_tables()
        self.register_consumers()

    def register_consumers(self) -> None:
        """Every enabled consumer holds its staged inputs from the moment it is discovered,
        so a module on a slow schedule never finds its batches released before its first run."""
        with self.session.transaction():
            for module in self.modules.values():
                for table in self._staged_inputs(module):
                    self.state.register_consumer(module.name, table)

    # -- planning --------------------------------------------------------------------------
    def _validate(self, names: Iterable[str]) -> None:
        select(self.all_modules, names)
        problems = graph.check(self.modules)
        if problems:
            raise ConfigError(str(problems[0]))
        for name in names:
            if name not in self.modules:
                raise ConfigError(f"module '{name}' is disabled in {self.project.file}")

    def plan(self, names: Iterable[str] = (), only: str | None = None) -> list[tuple[Module, str]]:
        """(module, phase) pairs in lifecycle order, for the named modules or all enabled."""
        names = list(names)
        self._validate(names)
        nodes = graph.order(graph.build_graph(self.modules), names or None)
        pairs = [(self.modules[n.split(":")[0]], n.split(":")[1]) for n in nodes]
        return [p for p in pairs if only is None or p[1] == only]

    # -- running ---------------------------------------------------------------------------
    def run(self, plan: list[tuple[Module, str]], run_id: str | None = None) -> str:
        """Run a plan; each module holds its lock from its first phase to its last."""
        run_id = run_id or new_run_id()
        last_phase = {m.name: i for i, (m, _) in enumerate(plan)}
        held: set[str] = set()
        try:
            for i, (module, phase) in enumerate(plan):
                if module.name not in held:
                    self.locks.acquire(module.name, run_id, self.wait)
                    held.add(module.name)
                ends = self.main(module, run_id) if phase == "main" else self.complete(module, run_id)
                if last_phase[module.name] == i:
                    self.locks.release(module.name, run_id)
                    held.discard(module.name)
                if ends:
                    run_id = new_run_id()
        finally:
            for name in held:
                self.locks.release(name, run_id)
        return run_id

    def catch_up(self, names: Iterable[str] = (), max_rounds: int = 1000) -> int:
        """Run the plan again and again until a round stages nothing new: each base run takes
        at most `update_cadence_days` of event time, so history arrives in several rounds."""
        names = list(names)
        for rounds in range(1, max_rounds + 1):
            before = self.state.next_batch_id()
            self.run(self.plan(names))
            if self.state.rows_staged_since(before) == 0:
                return rounds
        raise ConfigError(f"still staging new rows after {max_rounds} rounds")

    def main(self, module: Module, run_id: str) -> bool:
        book = self._playbook(module, module.main)
        with self.session.transaction():
            batch_id = self.state.next_batch_id() if module.staged else None
            if batch_id is not None:
                self.state.open_batches(module.name, module.staged, run_id, batch_id)
            inputs = {t: self.state.take_pending(module.name, t) for t in self._staged_inputs(module)}
            self.metadata.start(module, run_id)
            if inputs and all(after == upto for after, upto in inputs.values()):
                # Nothing new in any input: record the run, skip the SQL (a run with nothing
                # new must cost next to nothing) and leave complete nothing to commit.
                self.metadata.nothing_new(module, run_id)
                self.reporter.line(f"module '{module.name}': no new batches, nothing to do")
                return False
        variables = self._variables(module, book, run_id, batch_id, inputs)
        try:
            self._execute(module, "main", book, variables)
        except SluiceError as exc:
            self.metadata.failed(module, run_id, exc)
            raise
        with self.session.transaction():
            self.state.count_pending_rows(module.name)
            self.metadata.main_done(module, run_id)
        fault_point(f"{module.name}:main:end")
        return False

    def complete(self, module: Module, run_id: str) -> bool:
        if not self.metadata.awaiting_complete(module):
            # Nothing to commit: complete already ran, or main did not finish. Committing now
            # would advance offsets past work that never happened.
            self.reporter.line(f"module '{module.name}': nothing to complete (no finished main pending)")
            return False
        book = self._playbook(module, module.complete)
        inputs = {}
        for table in self._staged_inputs(module):
            offset = self.state.register_consumer(module.name, table)
            inputs[table] = (offset.consumed_batch, offset.pending_batch or offset.consumed_batch)
        variables = self._variables(module, book, run_id, None, inputs)
        rendered = render_steps(book.steps, self.renderer, variables)
        with self.session.transaction():
            self._run_in_transaction(module, rendered)
            self.state.commit_batches(module.name)
            self.state.commit_offsets(module.name)
            for table in self._staged_inputs(module):
                self.state.release(table)
            self._cleanup(module, variables)
            self.metadata.complete(module)
        fault_point(f"{module.name}:complete:end")
        return bool(variables.get("ends_run"))

    def backfill(self, name: str, since: date) -> None:
        """Replay history into a consumer's staged inputs as batches addressed to it alone,
        produced by each input's producer from its `backfill` playbook; then run the consumer.
        Standard tables are not touched: producers only re-stage what they already processed."""
        (consumer,) = select(self.modules, [name])
        run_id = new_run_id()
        for table in self._staged_inputs(consumer):
            producer = self._producer_of(table)
            if producer.backfill is None:
                raise ConfigError(f"module '{producer.name}' produces {table} but has no backfill playbook")
            self.locks.acquire(producer.name, run_id, self.wait)
            try:
                self._restage(producer, consumer, table, run_id, since)
            finally:
                self.locks.release(producer.name, run_id)
        self.run(self.plan([name]), run_id)

    def _restage(self, producer: Module, consumer: Module, table: str, run_id: str, since: date) -> None:
        with self.session.transaction():
            self.state.register_consumer(consumer.name, table, at_batch=self.state.head(table, consumer.name))
            batch_id = self.state.next_batch_id()
            self.state.open_batches(producer.name, (table,), run_id, batch_id, consumer=consumer.name)
        book = self._playbook(producer, producer.backfill)
        variables = self._variables(producer, book, run_id, batch_id, {})
        variables.update(backfill_since=since.isoformat(), backfill_consumer=consumer.name)
        self._execute(producer, "backfill", book, variables)
        with self.session.transaction():
            self.state.count_pending_rows(producer.name)
            self.state.commit_batches(producer.name)

    def destroy(self, module: Module) -> None:
        """Run the module's destroy playbook, drop what it declares, forget its state."""
        run_id = new_run_id()
        self.locks.acquire(module.name, run_id, self.wait)
        try:
            if module.destroy is not None:
                book = self._playbook(module, module.destroy)
                self._execute(module, "destroy", book, self._variables(module, book, run_id, None, {}))
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
    def _staged_inputs(self, module: Module) -> list[str]:
        return [t for t in module.consumes if t.endswith("_staged")]

    def _playbook(self, module: Module, path: Any) -> Playbook:
        return load_playbook(path, self.cli_vars, Renderer(None), project_root=self.project.root)

    def _variables(self, module: Module, book: Playbook, run_id: str, batch_id: int | None,
                   inputs: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
        variables = merge_variables(LIFECYCLE_DEFAULTS, module.variables, book.variables, self.project.vars,
                                    self.project.module_vars(module.name), self.cli_vars)
        check_identifiers(variables, book.identifiers, str(book.path))
        if variables["cleanup_mode"] not in CLEANUP_MODES:
            raise ConfigError(f"module '{module.name}': cleanup_mode must be one of {', '.join(CLEANUP_MODES)}")
        variables.update(run_id=run_id, batch_id=batch_id if batch_id is not None else 0, module=module.name,
                         unconsumed=self._unconsumed_reader(module, inputs))
        return variables

    def _unconsumed_reader(self, module: Module, inputs: Mapping[str, tuple[int, int]]) -> Callable[[str], str]:
        """`FROM {{ unconsumed('events_staged') }}`: the rows of the batches this run reads, the
        same SQL on every target, as a FROM item aliased by the table's name (or `alias`)."""
        def unconsumed(table: str, alias: str | None = None) -> str:
            if table not in inputs:
                raise ConfigError(f"module '{module.name}' reads {table} but does not declare it in consumes")
            after, upto = inputs[table]
            return (f"(SELECT s.* FROM {self.state.staged_table(table)} AS s "
                    f"WHERE s.batch_id > {after} AND s.batch_id <= {upto} AND s.batch_id IN "
                    f"(SELECT batch_id FROM {self.state.batches} WHERE staged_table = {literal(table)} "
                    f"AND state <> 'pending' AND (consumer IS NULL OR consumer = {literal(module.name)}))) "
                    f"AS {check_identifier(alias or table)}")
        return unconsumed

    def _execute(self, module: Module, phase: str, book: Playbook, variables: Mapping[str, Any]) -> None:
        rendered = render_steps(book.steps, self.renderer, variables)
        runner = PlaybookRunner(self.target, self.reporter,
                                after_step=lambda step: fault_point(f"{module.name}:{phase}:{step}"))
        runner.run(rendered)

    def _run_in_transaction(self, module: Module, rendered: list[list[RenderedQuery]]) -> None:
        for step in rendered:
            for rq in step:
                result = self.session.execute(rq.sql, label=f"module '{module.name}' complete {rq.label}")
                self.reporter.query_finished(self.target.name, rq.step, rq.query.name, result.rows_affected, 0.0)
            fault_point(f"{module.name}:complete:{step[0].step}")

    def _cleanup(self, module: Module, variables: Mapping[str, Any]) -> None:
        mode = variables["cleanup_mode"]
        drop = {"all": module.this_run + module.scratch, "debug": module.scratch, "trace": ()}[mode]
        for table in drop:
            self.state.run(f"DROP TABLE IF EXISTS {self.state.staged_table(table)}")
