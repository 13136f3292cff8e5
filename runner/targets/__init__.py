"""The registry of warehouse targets: a plain dict of type names, failing loudly."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from runner.errors import ConfigError
from runner.targets.base import QueryResult, ScriptResult, Session, Target
from runner.targets.duckdb import DuckDBTarget
from runner.targets.postgres import PostgresTarget
from runner.targets.redshift import RedshiftTarget

TARGET_TYPES: dict[str, type[Target]] = {
    "duckdb": DuckDBTarget,
    "postgres": PostgresTarget,
    "postgresql": PostgresTarget,
    "redshift": RedshiftTarget,
}

DIALECTS = ("duckdb", "postgres", "redshift")


def target_class(type_name: str, where: str = "") -> type[Target]:
    try:
        return TARGET_TYPES[str(type_name).lower()]
    except KeyError:
        close = difflib.get_close_matches(str(type_name).lower(), TARGET_TYPES, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else f" Known: {', '.join(sorted(TARGET_TYPES))}."
        prefix = f"{where}: " if where else ""
        raise ConfigError(f"{prefix}unknown target type '{type_name}'.{hint}") from None


def make_target(name: str, settings: dict[str, Any], project_dir: Path) -> Target:
    """Build a target from its settings (a sluice.yml entry or a SQL Runner target)."""
    if "type" not in settings:
        raise ConfigError(f"target '{name}' has no type (one of {', '.join(DIALECTS)})")
    cls = target_class(settings["type"], f"target '{name}'")
    if cls is DuckDBTarget:
        return DuckDBTarget(name, settings, project_dir=project_dir)
    return cls(name, settings)


__all__ = [
    "DIALECTS", "TARGET_TYPES", "QueryResult", "ScriptResult", "Session", "Target",
    "make_target", "target_class",
]
