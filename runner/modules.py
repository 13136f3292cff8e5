"""Modules: folders with a `module.yml` under `playbooks/standard/`, `playbooks/custom/` and
any extra folders `sluice.yml` lists.

A module declares what it consumes and produces; the runner derives its place in the
lifecycle from that (see `graph.py`) and keeps its offsets, batches and locks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.config import Project, read_yaml, reject_unknown
from runner.errors import ConfigError, PlaybookError

MODULE_FILE = "module.yml"
MODULE_KEYS = {"name", "kind", "description", "variables", "sources", "consumes", "produces", "main", "complete",
               "destroy", "backfill", "metadata"}
PRODUCES_KEYS = {"staged", "this_run", "tables", "scratch"}
METADATA_KEYS = {"table", "key", "time_key", "duplicates_table"}
KINDS = {"standard", "custom"}
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Metadata:
    """Where the runner reads a run's figures for `datamodel_metadata`."""

    table: str
    key: str
    time_key: str | None = None
    duplicates_table: str | None = None


@dataclass(frozen=True)
class Module:
    name: str
    kind: str
    folder: Path
    main: Path
    complete: Path
    destroy: Path | None = None
    backfill: Path | None = None
    description: str = ""
    #: external inputs (the atomic events), read but produced by no module
    sources: tuple[str, ...] = ()
    #: `_staged` tables (read by offset) and `_this_run` tables (read between main and complete)
    consumes: tuple[str, ...] = ()
    staged: tuple[str, ...] = ()
    this_run: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    #: other scratch tables complete drops under cleanup_mode `all`/`debug`
    scratch: tuple[str, ...] = ()
    metadata: Metadata | None = None
    #: defaults shared by all the module's playbooks (below each playbook's own)
    variables: dict[str, Any] = field(default_factory=dict)
    file: Path = field(default=Path(MODULE_FILE))

    @property
    def produces(self) -> tuple[str, ...]:
        return self.staged + self.this_run + self.tables

    @property
    def consumes_staged(self) -> tuple[str, ...]:
        return tuple(t for t in self.consumes if not t.endswith("_this_run"))


def module_roots(project: Project) -> list[Path]:
    roots = [project.root / "playbooks" / "standard", project.root / "playbooks" / "custom"]
    return [*roots, *project.module_paths]


def discover(project: Project) -> dict[str, Module]:
    """Every module under the project's module folders, by name (duplicates are errors)."""
    found: dict[str, Module] = {}
    for root in module_roots(project):
        for path in sorted(root.glob(f"*/{MODULE_FILE}")) if root.is_dir() else []:
            module = load_module(path)
            if module.name in found:
                raise ConfigError(f"{path}: module '{module.name}' is also defined in {found[module.name].file}")
            found[module.name] = module
    for name in project.modules:
        if name not in found:
            raise ConfigError(f"{project.file}: modules.{name}: no module named '{name}' "
                              f"(found: {', '.join(sorted(found)) or 'none'})")
    return found


def enabled(project: Project, modules: dict[str, Module]) -> dict[str, Module]:
    return {n: m for n, m in modules.items() if project.modules.get(n, {}).get("enabled", True)}


def select(modules: dict[str, Module], names: Iterable[str]) -> list[Module]:
    """The named modules, or a one-line error naming the first unknown one."""
    chosen = []
    for name in names:
        if name not in modules:
            raise ConfigError(f"unknown module '{name}' (modules: {', '.join(sorted(modules)) or 'none'})")
        chosen.append(modules[name])
    return chosen


def load_module(path: Path) -> Module:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise PlaybookError(f"{path}: a module.yml is a mapping")
    reject_unknown(data, MODULE_KEYS, str(path), PlaybookError)
    name = data.get("name") or path.parent.name
    if not isinstance(name, str) or not _NAME.match(name):
        raise PlaybookError(f"{path}: module name {name!r} must be lower-case letters, digits and _")
    kind = data.get("kind", "custom")
    if kind not in KINDS:
        raise PlaybookError(f"{path}: kind must be one of {', '.join(sorted(KINDS))}, not {kind!r}")
    produces = data.get("produces") or {}
    if not isinstance(produces, dict):
        raise PlaybookError(f"{path}: 'produces' is a mapping of staged/this_run/tables/scratch")
    reject_unknown(produces, PRODUCES_KEYS, f"{path}: produces", PlaybookError)
    return Module(
        name=name, kind=kind, folder=path.parent, file=path,
        main=_playbook(path, data, "main", required=True),
        complete=_playbook(path, data, "complete", required=True),
        destroy=_playbook(path, data, "destroy"),
        backfill=_playbook(path, data, "backfill"),
        description=str(data.get("description") or ""),
        sources=_names(path, data, "sources"),
        consumes=_names(path, data, "consumes"),
        staged=_names(path, produces, "staged", "produces."),
        this_run=_names(path, produces, "this_run", "produces."),
        tables=_names(path, produces, "tables", "produces."),
        scratch=_names(path, produces, "scratch", "produces."),
        metadata=_metadata(path, data.get("metadata")),
        variables=_variables(path, data.get("variables")),
    )


def _variables(path: Path, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PlaybookError(f"{path}: 'variables' must be a mapping")
    return dict(value)


def _playbook(path: Path, data: dict, key: str, required: bool = False) -> Path | None:
    value = data.get(key)
    if not value:
        if required:
            raise PlaybookError(f"{path}: '{key}' names no playbook")
        return None
    playbook = path.parent / str(value)
    if not playbook.is_file():
        raise PlaybookError(f"{path}: {key} playbook {playbook.name} does not exist in {path.parent}")
    return playbook


def _names(path: Path, data: dict, key: str, prefix: str = "") -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and _NAME.match(v) for v in value):
        raise PlaybookError(f"{path}: '{prefix}{key}' must be a list of table names")
    return tuple(value)


def _metadata(path: Path, value: Any) -> Metadata | None:
    if value is None:
        return None
    if not isinstance(value, dict) or "table" not in value or "key" not in value:
        raise PlaybookError(f"{path}: 'metadata' needs at least 'table' and 'key'")
    reject_unknown(value, METADATA_KEYS, f"{path}: metadata", PlaybookError)
    return Metadata(**value)
