"""The project: `sluice.yml` found at or above the working directory, read into typed models.

It names the targets and the default one, the model families it enables, the global
variables, and per-module settings (variables, `enabled`, `schedule`). Without a `sluice.yml`
the project is the working directory with one embedded DuckDB target and the Snowplow web
model, so a playbook runs with zero setup.

The file is read into a typed model (see `typed.py`): a wrong key or type is one line naming
the file, the key and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, field_validator

from sluice import __version__
from sluice.errors import ConfigError
from sluice.targets import Target, make_target
from sluice.typed import Strict, validate

PROJECT_FILE = "sluice.yml"
DEFAULT_TARGET = {"type": "duckdb", "path": ".sluice/sluice.duckdb"}
DEFAULT_MODELS = ("snowplow-web",)

#: the lifecycle's variables, declared once; modules, playbooks, sluice.yml and --var override them
LIFECYCLE_DEFAULTS: dict[str, Any] = {
    "input_schema": "atomic",
    "scratch_schema": "scratch",
    "output_schema": "derived",
    "entropy": "",
    "cleanup_mode": "all",
    "ends_run": False,
    "model_version": __version__,
    # the built-in data checks (sql/checks/)
    "volume_tolerance": 0.5,
    "freshness_hours": 26,
}
CLEANUP_MODES = ("all", "debug", "trace")

class ModuleSettings(Strict):
    enabled: bool = True
    schedule: str | None = None
    vars: dict[str, Any] = Field(default_factory=dict)


class ProjectFile(Strict):
    name: str | None = None
    default_target: str | None = None
    targets: dict[str, dict[str, Any]] = Field(default_factory=lambda: {"local": dict(DEFAULT_TARGET)})
    models: list[str] = Field(default_factory=lambda: list(DEFAULT_MODELS))
    vars: dict[str, Any] = Field(default_factory=dict)
    modules: dict[str, ModuleSettings] = Field(default_factory=dict)
    module_paths: list[str] = Field(default_factory=list)
    #: how many modules' phases a run may have going at once (see lifecycle/scheduler.py)
    parallel_modules: int = Field(1, ge=1)

    @field_validator("targets", "vars", "modules", "models", "module_paths", mode="before")
    @classmethod
    def _empty_is_default(cls, value: Any, info: Any) -> Any:
        # `vars:` with nothing under it is YAML's null; it means "none", not an error.
        return cls.model_fields[info.field_name].default_factory() if value is None else value

    @field_validator("modules", mode="before")
    @classmethod
    def _empty_module_settings(cls, value: Any) -> Any:
        return {k: ({} if v is None else v) for k, v in value.items()} if isinstance(value, dict) else value


@dataclass(frozen=True)
class Project:
    root: Path
    targets: dict[str, dict[str, Any]] = field(default_factory=lambda: {"local": dict(DEFAULT_TARGET)})
    default_target: str = "local"
    models: tuple[str, ...] = DEFAULT_MODELS
    vars: dict[str, Any] = field(default_factory=dict)
    modules: dict[str, ModuleSettings] = field(default_factory=dict)
    module_paths: tuple[Path, ...] = ()
    parallel_modules: int = 1
    file: Path | None = None

    @property
    def where(self) -> str:
        return str(self.file or "the built-in defaults")

    def target_settings(self, name: str | None = None) -> tuple[str, dict[str, Any]]:
        """The named target's settings, or the default target's."""
        name = name or self.default_target
        if name not in self.targets:
            known = ", ".join(sorted(self.targets)) or "none"
            raise ConfigError(f"unknown target '{name}' (in {self.where}; known: {known})")
        return name, self.targets[name]

    def target(self, name: str | None = None) -> Target:
        """Build the named target, or the default one (its settings checked, not connected)."""
        name, settings = self.target_settings(name)
        return make_target(name, settings, self.root, self.where)

    def module_settings(self, module: str) -> ModuleSettings:
        return self.modules.get(module) or ModuleSettings()

    def module_vars(self, module: str) -> dict[str, Any]:
        return dict(self.module_settings(module).vars)


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
    parsed = validate(ProjectFile, {} if data is None else data, str(path))
    if not parsed.targets:
        raise ConfigError(f"{path}: targets: name at least one target")
    default = parsed.default_target or next(iter(parsed.targets))
    if default not in parsed.targets:
        raise ConfigError(f"{path}: default_target '{default}' is not one of the targets "
                          f"({', '.join(parsed.targets)})")
    return Project(
        root=path.parent,
        targets=parsed.targets,
        default_target=default,
        models=tuple(parsed.models),
        vars=parsed.vars,
        modules=parsed.modules,
        module_paths=tuple(path.parent / p for p in parsed.module_paths),
        parallel_modules=parsed.parallel_modules,
        file=path,
    )


#: libyaml's parser where PyYAML was built with it (its wheels are): a run reads every module's
#: YAML, and the pure-Python parser was a tenth of a small run's time
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """YAML's safe subset, as `yaml.safe_load` reads it."""
    return yaml.load(text, Loader=_SAFE_LOADER)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a syntax error names the file and line."""
    try:
        return parse_yaml(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_error_message(path, exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None


def yaml_error_message(path: Path | str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}" if mark else str(path)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{where}: not valid YAML: {problem}"
