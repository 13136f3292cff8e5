"""The project: `sluice.yml` found at or above the working directory.

It names the targets and the default one, the global variables, and per-module settings
(variables, `enabled`, `schedule`). Without a `sluice.yml` the project is the working
directory with one embedded DuckDB target, so a playbook runs with zero setup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runner.errors import ConfigError, SluiceError
from runner.targets import Target, make_target

PROJECT_FILE = "sluice.yml"
DEFAULT_TARGETS = {"local": {"type": "duckdb", "path": ".sluice/sluice.duckdb"}}
PROJECT_KEYS = {"name", "default_target", "targets", "vars", "modules", "module_paths"}
MODULE_SETTING_KEYS = {"enabled", "schedule", "vars"}


@dataclass(frozen=True)
class Project:
    root: Path
    targets: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    default_target: str = "local"
    vars: dict[str, Any] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    module_paths: tuple[Path, ...] = ()
    file: Path | None = None

    def target(self, name: str | None = None) -> Target:
        """Build the named target, or the default one."""
        name = name or self.default_target
        if name not in self.targets:
            where = self.file or "the built-in defaults"
            known = ", ".join(sorted(self.targets)) or "none"
            raise ConfigError(f"unknown target '{name}' (in {where}; known: {known})")
        return make_target(name, self.targets[name], self.root)

    def module_vars(self, module: str) -> dict[str, Any]:
        return dict(self.modules.get(module, {}).get("vars") or {})


def find_project_file(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


def load_project(project_dir: Path | None = None) -> Project:
    """Load sluice.yml from `project_dir`, or the nearest one at or above the cwd."""
    start = (project_dir or Path.cwd()).resolve()
    path = start / PROJECT_FILE if project_dir else find_project_file(start)
    if path is None or not path.is_file():
        if project_dir and not start.is_dir():
            raise ConfigError(f"project directory {start} does not exist")
        return Project(root=start)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    reject_unknown(data, PROJECT_KEYS, str(path))
    targets = data.get("targets") or dict(DEFAULT_TARGETS)
    default = data.get("default_target") or next(iter(targets))
    modules = data.get("modules") or {}
    for module, settings in modules.items():
        reject_unknown(settings or {}, MODULE_SETTING_KEYS, f"{path}: modules.{module}")
    return Project(
        root=path.parent,
        targets=targets,
        default_target=default,
        vars=data.get("vars") or {},
        modules={m: (s or {}) for m, s in modules.items()},
        module_paths=tuple(path.parent / p for p in data.get("module_paths") or ()),
        file=path,
    )


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error names the file and line."""
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_error_message(path, exc)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def yaml_error_message(path: Path | str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}" if mark else str(path)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: not valid YAML: {problem}"


def reject_unknown(data: Mapping, known: set[str], where: str, error: type[SluiceError] = ConfigError) -> None:
    """One line naming the keys a file may not hold, and the ones it may."""
    unknown = sorted(str(k) for k in set(data) - known)
    if unknown:
        raise error(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
