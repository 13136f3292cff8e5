"""`sluice check`: everything that can be known wrong before anything runs."""

from __future__ import annotations

from pathlib import Path

from runner import graph
from runner.config import Project
from runner.errors import SluiceError
from runner.executor import parse_check, render_steps
from runner.lifecycle import LIFECYCLE_DEFAULTS
from runner.modules import Module, discover, enabled
from runner.playbook import load_playbook
from runner.targets import DIALECTS
from runner.templates import Renderer, check_identifiers, merge_variables


def check_project(project: Project) -> list[str]:
    """One line per problem; an empty list means the project is sound."""
    try:
        modules = enabled(project, discover(project))
    except SluiceError as exc:
        return [str(exc)]
    problems = [str(p) for p in graph.check(modules)]
    renderers = {d: Renderer(d, [project.root / "sql" / "macros"]) for d in DIALECTS}
    for module in modules.values():
        for path in (module.main, module.complete, module.destroy, module.backfill):
            if path is not None:
                problems.extend(_check_playbook(project, module, path, renderers))
    return problems


def _check_playbook(project: Project, module: Module, path: Path, renderers: dict[str, Renderer]) -> list[str]:
    try:
        book = load_playbook(path, {}, Renderer(None), project_root=project.root)
        variables = merge_variables(LIFECYCLE_DEFAULTS, module.variables, book.variables, project.vars,
                                    project.module_vars(module.name))
        check_identifiers(variables, book.identifiers, str(path))
        scratch = variables["scratch_schema"]
        variables.update(run_id="check", batch_id=1, module=module.name, backfill_since="2020-01-01",
                         backfill_consumer="check",
                         unconsumed=lambda table, alias=None: f"{scratch}.{table} AS {alias or table}")
    except SluiceError as exc:
        return [str(exc)]
    problems = []
    for dialect, renderer in renderers.items():
        try:
            parse_check(render_steps(book.steps, renderer, variables), dialect)
        except SluiceError as exc:
            problems.append(f"module '{module.name}' on {dialect}: {exc}")
    return problems
