"""Modules: folders with a `module.yml`, under the enabled families' `playbooks/standard/<family>/`,
the project's `playbooks/custom/` and any extra folders `sluice.yml` lists.

A module declares what it consumes and produces; the runner derives its place in the
lifecycle from that (see `graph.py`) and keeps its offsets, batches and locks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from sluice.config import Project, read_yaml
from sluice.errors import ConfigError, PlaybookError
from sluice.families import enabled_families
from sluice.typed import Strict, validate

MODULE_FILE = "module.yml"
Name = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")]


class MetadataSpec(Strict):
    """Where the runner reads a run's figures for `datamodel_metadata`."""

    table: Name
    key: str
    time_key: str | None = None
    duplicates_table: Name | None = None
    #: a scratch table of the input rows the run dropped, counted as rows_dropped: one row each,
    #: or, where what is dropped is not a row (the elements of a JSON array), a `rows_dropped`
    #: column saying how many each row stands for
    dropped_table: Name | None = None


class Produces(Strict):
    #: `_staged` tables it appends batches to (in scratch_schema)
    staged: list[Name] = Field(default_factory=list)
    #: `_this_run` tables, dropped by complete unless cleanup_mode keeps them
    this_run: list[Name] = Field(default_factory=list)
    #: production tables it upserts
    tables: list[Name] = Field(default_factory=list)
    #: other scratch tables complete drops under cleanup_mode `all`/`debug`
    scratch: list[Name] = Field(default_factory=list)


class ModuleFile(Strict):
    """A `module.yml`."""

    name: Name | None = None
    kind: Literal["standard", "custom"] = "custom"
    description: str = ""
    variables: dict[str, Any] = Field(default_factory=dict)
    sources: list[Name] = Field(default_factory=list)
    consumes: list[Name] = Field(default_factory=list)
    produces: Produces = Field(default_factory=Produces)
    main: str
    complete: str
    destroy: str | None = None
    backfill: str | None = None
    metadata: MetadataSpec | None = None
    #: its outputs change with the date as well as with its inputs ("days since" features):
    #: it runs even when no input has a new batch
    time_driven: bool = False
    #: a source module whose run reads everything new in its sources (no window of event time):
    #: a catch-up need not run the plan again to find what a round left
    reads_all_new: bool = False

    @field_validator("variables", "sources", "consumes", "produces", mode="before")
    @classmethod
    def _empty_is_default(cls, value: Any, info: Any) -> Any:
        return cls.model_fields[info.field_name].default_factory() if value is None else value


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
    scratch: tuple[str, ...] = ()
    metadata: MetadataSpec | None = None
    #: runs even when no input has a new batch (see ModuleFile.time_driven)
    time_driven: bool = False
    #: see ModuleFile.reads_all_new
    reads_all_new: bool = False
    #: defaults shared by all the module's playbooks (below each playbook's own)
    variables: dict[str, Any] = field(default_factory=dict)
    file: Path = field(default=Path(MODULE_FILE))

    @property
    def produces(self) -> tuple[str, ...]:
        return self.staged + self.this_run + self.tables

    @property
    def reads_in_windows(self) -> bool:
        """A run may leave new source rows for the next (a consumer takes every pending batch)."""
        return bool(self.sources) and not self.reads_all_new

    @property
    def staged_inputs(self) -> tuple[str, ...]:
        """The staged tables it reads by offset."""
        return tuple(t for t in self.consumes if t.endswith("_staged"))


def module_roots(project: Project) -> list[Path]:
    """Where modules are looked for: the enabled families' folders, then the project's own."""
    families = [f.folder for f in enabled_families(project)]
    return [*families, project.root / "playbooks" / "custom", *project.module_paths]


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
    return {n: m for n, m in modules.items() if project.module_settings(n).enabled}


def select(modules: dict[str, Module], names: Iterable[str]) -> list[Module]:
    """The named modules, or a one-line error naming the first unknown one."""
    chosen = []
    for name in names:
        if name not in modules:
            raise ConfigError(f"unknown module '{name}' (modules: {', '.join(sorted(modules)) or 'none'})")
        chosen.append(modules[name])
    return chosen


def load_module(path: Path) -> Module:
    spec = validate(ModuleFile, read_yaml(path), str(path), PlaybookError)
    return Module(
        name=spec.name or path.parent.name, kind=spec.kind, folder=path.parent, file=path,
        main=_playbook(path, spec.main, "main"),
        complete=_playbook(path, spec.complete, "complete"),
        destroy=spec.destroy and _playbook(path, spec.destroy, "destroy"),
        backfill=spec.backfill and _playbook(path, spec.backfill, "backfill"),
        description=spec.description,
        sources=tuple(spec.sources),
        consumes=tuple(spec.consumes),
        staged=tuple(spec.produces.staged),
        this_run=tuple(spec.produces.this_run),
        tables=tuple(spec.produces.tables),
        scratch=tuple(spec.produces.scratch),
        metadata=spec.metadata,
        time_driven=spec.time_driven,
        reads_all_new=spec.reads_all_new,
        variables=dict(spec.variables),
    )


def _playbook(path: Path, value: str, key: str) -> Path:
    playbook = path.parent / value
    if not playbook.is_file():
        raise PlaybookError(f"{path}: {key} playbook {playbook.name} does not exist in {path.parent}")
    return playbook
