"""Running a playbook: select steps, render everything, then execute.

The stages are kept apart (SQL Runner's loadSteps before routeAndRun): every SQL file of the
selected steps is rendered for every target before a connection opens, so a template error
never leaves half-run DDL behind. Steps then run in order; the queries of one step run
concurrently, each on its own session; a failed query lets its siblings finish, then stops
the playbook naming the step and the query.
"""

from __future__ import annotations

import difflib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot.errors import SqlglotError

from sluice.errors import ArgumentError, DryRunError, PlaybookError, QueryError, SluiceError, TemplateError
from sluice.output import Reporter
from sluice.render.identifiers import check_identifiers
from sluice.render.renderer import Renderer
from sluice.resources import display_path
from sluice.sqlrunner.playbook import Playbook, Query, Step
from sluice.targets import Session, Target
from sluice.targets.base import split_statements


@dataclass(frozen=True)
class RunOptions:
    from_step: str | None = None
    #: run one query only, as `STEP::QUERY`
    run_query: str | None = None
    dry_run: bool = False
    fill_templates: bool = False
    show_query_output: bool = False


@dataclass(frozen=True)
class RenderedQuery:
    step: str
    query: Query
    sql: str
    #: what the query belongs to, for messages ("module 'base' main")
    owner: str = ""
    project_root: Path | None = None

    @property
    def label(self) -> str:
        owner = f"{self.owner}, " if self.owner else ""
        return f"{owner}step '{self.step}' query '{self.query.name}'"

    def failure(self, exc: QueryError) -> QueryError:
        """`exc` restated with the file, and the line in it, of the statement that failed."""
        rendered_line = self.sql[:exc.offset].count("\n") + (exc.line or 1)
        line = source_line(self.query.file, self.sql, rendered_line)
        where = display_path(self.query.file, self.project_root)
        return QueryError(f"{where}:{line}: {self.label}: {exc}", exc.offset, exc.line)


def source_line(file: Path, rendered: str, rendered_line: int) -> int:
    """The line of a template that produced a line of its rendering: lines the template
    passed through unchanged map exactly; a line a loop or expression produced maps to the
    template lines that made it."""
    try:
        source = file.read_text().splitlines()
    except OSError:
        return rendered_line
    output = rendered.splitlines()
    matcher = difflib.SequenceMatcher(None, source, output, autojunk=False)
    for tag, src_start, _, out_start, out_end in matcher.get_opcodes():
        if out_start < rendered_line <= max(out_end, out_start + 1):
            if tag == "equal":
                return src_start + (rendered_line - out_start)
            return src_start + 1
    return rendered_line


@dataclass
class RunSummary:
    queries: int = 0
    rows_affected: int = 0
    seconds: float = 0.0
    per_query: list[tuple[str, str, int, float]] = field(default_factory=list)


def select_steps(playbook: Playbook, options: RunOptions) -> list[Step]:
    """Apply --from-step and --run-query."""
    steps = list(playbook.steps)
    if options.run_query:
        step_name, sep, query_name = options.run_query.partition("::")
        if not sep:
            raise ArgumentError(f"--run-query '{options.run_query}': expected STEP::QUERY")
        step = _find_step(playbook, step_name, "--run-query")
        queries = tuple(q for q in step.queries if q.name == query_name)
        if not queries:
            known = ", ".join(q.name for q in step.queries)
            raise ArgumentError(f"--run-query: step '{step_name}' has no query '{query_name}' (has: {known})")
        return [Step(step.name, queries)]
    if options.from_step:
        start = steps.index(_find_step(playbook, options.from_step, "--from-step"))
        steps = steps[start:]
    return steps


def _find_step(playbook: Playbook, name: str, flag: str) -> Step:
    try:
        return playbook.step(name)
    except KeyError:
        known = ", ".join(s.name for s in playbook.steps)
        raise ArgumentError(f"{flag}: {playbook.path} has no step '{name}' (steps: {known})") from None


def render_steps(steps: Sequence[Step], renderer: Renderer, variables: Mapping[str, Any],
                 go_templates: bool = False, owner: str = "",
                 project_root: Path | None = None) -> list[list[RenderedQuery]]:
    """Render every query of every step; the first error stops before anything runs."""
    rendered = []
    for step in steps:
        rendered.append([RenderedQuery(step.name, q, _render(q, renderer, variables, go_templates), owner,
                                       project_root) for q in step.queries])
    return rendered


def _render(query: Query, renderer: Renderer, variables: Mapping[str, Any], go_templates: bool) -> str:
    source = query.file.read_text()
    if not query.template:
        return source
    if query.params:
        variables = {**variables, **dict(query.params)}
    return renderer.render(source, variables, str(query.file), go_template=go_templates)


def parse_check(rendered: Sequence[Sequence[RenderedQuery]], dialect: str) -> None:
    """Parse every statement with sqlglot in the target's dialect (what --dry-run checks)."""
    for step in rendered:
        for rq in step:
            for statement in split_statements(rq.sql, dialect):
                try:
                    sqlglot.parse(statement, read=dialect)
                except SqlglotError as exc:
                    first = str(exc).splitlines()[0]
                    raise DryRunError(f"dry run: {rq.label} does not parse as {dialect}: {first}") from None


class SessionPool:
    """Reuses idle sessions of one target across queries and steps."""

    def __init__(self, target: Target):
        self.target = target
        self._idle: list[Session] = []
        self._lock = threading.Lock()

    def acquire(self) -> Session:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self.target.connect()

    def release(self, session: Session, healthy: bool = True) -> None:
        if not healthy:
            session.close()
            return
        with self._lock:
            self._idle.append(session)


class PlaybookRunner:
    """Executes rendered steps on one target and reports as it goes."""

    def __init__(self, target: Target, reporter: Reporter, show_query_output: bool = False,
                 after_step: Callable[[str], None] | None = None,
                 run_check: Callable[[RenderedQuery], None] | None = None):
        self.target = target
        self.after_step = after_step
        #: runs a data check (a module's: the lifecycle records its result)
        self.run_check = run_check
        self.reporter = reporter
        self.show_query_output = show_query_output
        self.pool = SessionPool(target)
        self.summary = RunSummary()

    def run(self, rendered: Sequence[Sequence[RenderedQuery]]) -> RunSummary:
        started = time.perf_counter()
        for step in rendered:
            self._run_step(step)
            if self.after_step:
                self.after_step(step[0].step)
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def _run_step(self, step: Sequence[RenderedQuery]) -> None:
        self.reporter.step_started(self.target.name, step[0].step, len(step))
        if step[0].query.is_check:
            if self.run_check is None:
                raise PlaybookError(f"step '{step[0].step}' holds data checks, which run only in a module "
                                    "(sluice run), where their results are recorded")
            for rq in step:  # in order: the first critical failure stops the module
                self.run_check(rq)
            return
        if len(step) == 1:  # no thread to start for the common case
            errors = [e for e in (self._run_query(step[0]),) if e is not None]
        else:
            with ThreadPoolExecutor(max_workers=len(step), thread_name_prefix="sluice-query") as pool:
                errors = [e for e in pool.map(self._run_query, step) if e is not None]
        if errors:
            more = f" (and {len(errors) - 1} more failed in this step)" if len(errors) > 1 else ""
            raise QueryError(f"{errors[0]}{more}") from errors[0]

    def _run_query(self, rq: RenderedQuery) -> QueryError | None:
        session = self.pool.acquire()
        started = time.perf_counter()
        try:
            if rq.query.transaction:
                with session.transaction():
                    result = session.execute(rq.sql)
            else:
                result = session.execute(rq.sql)
        except QueryError as raw:
            exc = rq.failure(raw)
            self.pool.release(session, healthy=False)
            self.reporter.query_finished(self.target.name, rq.step, rq.query.name, 0,
                                         time.perf_counter() - started, error=str(exc))
            return exc
        self.pool.release(session)
        seconds = time.perf_counter() - started
        self.summary.queries += 1
        self.summary.rows_affected += result.rows_affected
        self.summary.per_query.append((rq.step, rq.query.name, result.rows_affected, seconds))
        self.reporter.query_finished(self.target.name, rq.step, rq.query.name, result.rows_affected, seconds)
        if self.show_query_output:
            for rows in result.results:
                self.reporter.rows(f"{rq.step}::{rq.query.name}", rows)
        return None


def run_playbook(playbook: Playbook, targets: Sequence[Target], variables: Mapping[str, Any],
                 options: RunOptions, reporter: Reporter, renderers: Mapping[str, Renderer],
                 project_root: Path | None = None) -> None:
    """Render for every target, then run the targets in parallel (SQL Runner's semantics)."""
    steps = select_steps(playbook, options)
    plans = {}
    try:
        for target in targets:
            # A bad identifier stops rendering like any template error, so a dry run reports
            # it with the dry-run status (5) as SQL Runner's schedulers expect.
            folded = check_identifiers(variables, playbook.identifiers, str(playbook.path), target.dialect)
            plans[target.name] = render_steps(steps, renderers[target.dialect], folded, playbook.go_templates,
                                              project_root=project_root)
            if options.dry_run:
                parse_check(plans[target.name], target.dialect)
    except TemplateError as exc:
        if options.dry_run:
            raise DryRunError(f"dry run: {exc}") from None
        raise
    if options.fill_templates or options.dry_run:
        _report_plans(plans, reporter, options.fill_templates)
        return
    _run_targets(targets, plans, reporter, options.show_query_output)


def _report_plans(plans: Mapping[str, list[list[RenderedQuery]]], reporter: Reporter, show_sql: bool) -> None:
    for target, rendered in plans.items():
        for step in rendered:
            for rq in step:
                if show_sql:
                    reporter.query_text(target, rq.step, rq.query.name, rq.sql)
                else:
                    reporter.line(f"[{target}] {rq.step}::{rq.query.name} renders and parses (dry run)")


def _run_targets(targets: Sequence[Target], plans: Mapping[str, list[list[RenderedQuery]]],
                 reporter: Reporter, show_output: bool) -> None:
    def run_one(target: Target) -> SluiceError | None:
        try:
            PlaybookRunner(target, reporter, show_output).run(plans[target.name])
        except SluiceError as exc:
            return exc
        finally:
            target.close()
        return None

    with ThreadPoolExecutor(max_workers=len(targets), thread_name_prefix="sluice-target") as pool:
        errors = [e for e in pool.map(run_one, targets) if e is not None]
    if errors:
        raise errors[0]
