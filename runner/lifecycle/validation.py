"""`sluice check`: everything that can be known wrong before anything runs: the targets'
settings, the modules and their graph, and every playbook rendered and parsed on every
dialect."""

from __future__ import annotations

from pathlib import Path

from sluice.config import Project
from sluice.errors import SluiceError
from sluice.families import project_renderer
from sluice.lifecycle import graph
from sluice.lifecycle.context import module_variables, run_names
from sluice.lifecycle.modules import Module, discover, enabled
from sluice.render.renderer import Renderer
from sluice.sqlrunner.executor import RenderedQuery, parse_check, render_steps
from sluice.sqlrunner.playbook import load_playbook
from sluice.targets import DIALECTS
from sluice.targets.base import split_statements
from sluice.targets.statistics import table_use


def check_project(project: Project) -> list[str]:
    """One line per problem; an empty list means the project is sound."""
    problems = check_targets(project)
    try:
        modules = enabled(project, discover(project))
    except SluiceError as exc:
        return [*problems, str(exc)]
    problems += [str(p) for p in graph.check(modules)]
    renderers = {d: project_renderer(project, d) for d in DIALECTS}
    for module in modules.values():
        for path in (module.main, module.complete, module.destroy, module.backfill):
            if path is not None:
                problems.extend(_check_playbook(project, module, path, renderers))
    return problems


def check_targets(project: Project) -> list[str]:
    """Every target's type and settings, without connecting."""
    problems = []
    for name in project.targets:
        try:
            project.target(name)
        except SluiceError as exc:
            problems.append(str(exc))
    return problems


def _check_playbook(project: Project, module: Module, path: Path, renderers: dict[str, Renderer]) -> list[str]:
    try:
        book = load_playbook(path, {}, Renderer(None), project_root=project.root)
    except SluiceError as exc:
        return [str(exc)]
    problems, sound = [], []
    for dialect, renderer in renderers.items():
        try:
            variables = module_variables(project, module, book, {}, dialect)
            variables.update(run_names(module, "check", 1, {t: (0, 0) for t in module.staged_inputs}, variables),
                             backfill_since="2020-01-01", backfill_consumer="check",
                             backfill_table=module.staged[0] if module.staged else "")
            rendered = render_steps(book.steps, renderer, variables)
            parse_check(rendered, dialect)
        except SluiceError as exc:
            problems.append(f"module '{module.name}' on {dialect}: {exc}")
            continue
        sound.append((dialect, rendered, variables))
    if path == module.main and sound:  # steps come in the same order on every dialect: one tells
        problems.extend(_late_critical_checks(module, *sound[0]))
    return problems


def _late_critical_checks(module: Module, dialect: str, rendered: list[list[RenderedQuery]],
                          variables: dict) -> list[str]:
    """A critical check after a step that writes the module's outputs comes too late: by the
    time it fails, the write is done."""
    entropy = variables.get("entropy", "")
    outputs = {f"{variables[schema]}.{name}{entropy}".lower() for schema, names in
               (("output_schema", module.tables), ("scratch_schema", module.staged)) for name in names}
    writer = None
    for step in rendered:
        for rq in step:
            if rq.query.severity == "critical" and writer is not None:
                return [f"module '{module.name}': critical check '{rq.query.name}' runs after step '{writer}' "
                        "writes the module's outputs; move it before that step"]
            if not rq.query.is_check and writer is None and any(
                    table_use(statement, dialect).writes & outputs for statement in split_statements(rq.sql, dialect)):
                writer = rq.step
    return []


def declared_checks(project: Project) -> list[tuple[str, str, str, str]]:
    """(module, phase, check, severity) of every data check the enabled modules declare."""
    found = []
    for module in enabled(project, discover(project)).values():
        for phase, path in (("main", module.main), ("complete", module.complete)):
            book = load_playbook(path, {}, Renderer(None), project_root=project.root)
            found += [(module.name, phase, q.name, q.severity) for s in book.steps for q in s.queries if q.is_check]
    return found
