"""The registry of warehouse targets: a plain dict of type names, failing loudly.

Each entry names the module and class, imported on first use: a driver such as
redshift-connector takes a second to import, which no DuckDB user should pay for.
"""

from __future__ import annotations

import difflib
import importlib
from pathlib import Path
from typing import Any

from runner.errors import ConfigError
from runner.targets.base import QueryResult, ScriptResult, Session, Target

TARGET_TYPES: dict[str, str] = {
    "duckdb": "runner.targets.duckdb:DuckDBTarget",
    "postgres": "runner.targets.postgres:PostgresTarget",
    "postgresql": "runner.targets.postgres:PostgresTarget",
    "redshift": "runner.targets.redshift:RedshiftTarget",
}

DIALECTS = ("duckdb", "postgres", "redshift")


def target_class(type_name: str, where: str = "") -> type[Target]:
    try:
        module, _, cls = TARGET_TYPES[str(type_name).lower()].partition(":")
    except KeyError:
        close = difflib.get_close_matches(str(type_name).lower(), TARGET_TYPES, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else f" Known: {', '.join(sorted(TARGET_TYPES))}."
        prefix = f"{where}: " if where else ""
        raise ConfigError(f"{prefix}unknown target type '{type_name}'.{hint}") from None
    return getattr(importlib.import_module(module), cls)


def make_target(name: str, settings: dict[str, Any], project_dir: Path) -> Target:
    """Build a target from its settings (a sluice.yml entry or a SQL Runner target)."""
    if "type" not in settings:
        raise ConfigError(f"target '{name}' has no type (one of {', '.join(DIALECTS)})")
    return target_class(settings["type"], f"target '{name}'")(name, settings, project_dir=project_dir)


__all__ = [
    "DIALECTS", "TARGET_TYPES", "QueryResult", "ScriptResult", "Session", "Target",
    "make_target", "target_class",
]
