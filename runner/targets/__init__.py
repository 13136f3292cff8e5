"""The registry of warehouse targets: a plain dict of type names, failing loudly.

Each entry names the module and class, imported on first use: a driver such as
redshift-connector takes a second to import, which no DuckDB user should pay for, and it is
an optional extra (`pip install "sluice[redshift]"`) that may not be installed at all.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sluice.errors import ConfigError
from sluice.targets.base import QueryResult, ScriptResult, Session, Target

TARGET_TYPES: dict[str, str] = {
    "duckdb": "sluice.targets.duckdb:DuckDBTarget",
    "postgres": "sluice.targets.postgres:PostgresTarget",
    "postgresql": "sluice.targets.postgres:PostgresTarget",
    "redshift": "sluice.targets.redshift:RedshiftTarget",
}
#: the pip extra that brings a target type's driver, when it is not a base dependency
DRIVER_EXTRAS = {"redshift_connector": "redshift"}

DIALECTS = ("duckdb", "postgres", "redshift")


def target_class(type_name: Any, where: str = "") -> type[Target]:
    prefix = f"{where}: " if where else ""
    try:
        module, _, cls = TARGET_TYPES[str(type_name).lower()].partition(":")
    except KeyError:
        close = difflib.get_close_matches(str(type_name).lower(), TARGET_TYPES, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else f" Known: {', '.join(sorted(TARGET_TYPES))}."
        raise ConfigError(f"{prefix}unknown target type '{type_name}'.{hint}") from None
    try:
        return getattr(importlib.import_module(module), cls)
    except ImportError as exc:
        extra = DRIVER_EXTRAS.get(exc.name or "")
        if extra is None:
            raise
        raise ConfigError(f"{prefix}target type '{type_name}' needs its driver {exc.name}: "
                          f'pip install "sluice[{extra}]"') from None


def make_target(name: str, settings: Mapping[str, Any], project_dir: Path, where: str = "") -> Target:
    """Build a target from its settings (a sluice.yml entry or a SQL Runner target); `where`
    names the file it came from in error messages."""
    place = f"{where}: targets.{name}" if where else f"target '{name}'"
    if not isinstance(settings, Mapping):
        raise ConfigError(f"{place}: expected a mapping of settings (type, path, host...)")
    if "type" not in settings:
        raise ConfigError(f"{place}: no type (one of {', '.join(DIALECTS)})")
    cls = target_class(settings["type"], place)
    return cls(name, cls.parse_settings({k: v for k, v in settings.items() if k != "type"}, place),
               project_dir=project_dir)


__all__ = [
    "DIALECTS", "TARGET_TYPES", "QueryResult", "ScriptResult", "Session", "Target",
    "make_target", "target_class",
]
