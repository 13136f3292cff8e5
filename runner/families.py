"""The model families Sluice ships, and what a project that enables one gets.

A family is a folder of standard modules under `playbooks/standard/<family>/` (their SQL
mirrored under `sql/standard/<family>/`), the manifests its modules keep, and the names its
SQL templates use besides the dialect macros. `sluice.yml`'s `models:` lists the families a
project enables; modules of the others are never discovered, rendered or checked.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sluice import resources
from sluice.config import LIFECYCLE_DEFAULTS, Project
from sluice.errors import ConfigError
from sluice.render.identifiers import check_identifiers
from sluice.render.renderer import Renderer
from sluice.render.variables import merge_variables


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    #: `module:function` returning the names the family's templates use, imported on first use
    template_globals: str | None = None
    #: variable defaults every module of the family shares, and its loader: the schema
    #: `sluice load --source <family>` writes and the modules read, declared once
    variables: Mapping[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return resources.standard_modules() / self.name

    @property
    def macros(self) -> Path:
        """Macros the family's SQL shares (`sql/standard/<family>/macros/`), beside its modules'."""
        return resources.standard_sql() / self.name / "macros"

    def globals(self) -> dict[str, Any]:
        if self.template_globals is None:
            return {}
        module, _, function = self.template_globals.partition(":")
        return getattr(importlib.import_module(module), function)()


FAMILIES: dict[str, Family] = {
    "snowplow-web": Family(
        "snowplow-web", "Snowplow's web model: base, page views, sessions, users",
        "sluice.events.snowplow.schema:template_globals"),
    "rudderstack": Family(
        "rudderstack", "RudderStack: deduplicated events, identity, sessions, journeys",
        "sluice.events.rudderstack.schema:template_globals", {"rs_schema": "rudder"}),
    "growth": Family(
        "growth", "Growth analytics: sessions and registrations, star schema, channel attribution",
        "sluice.events.growth.schema:template_globals", {"growth_raw_schema": "raw"}),
}


def family(name: str, where: str = "") -> Family:
    if name not in FAMILIES:
        close = difflib.get_close_matches(name, FAMILIES, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        prefix = f"{where}: " if where else ""
        raise ConfigError(f"{prefix}unknown model family '{name}' (known: {', '.join(FAMILIES)}).{hint}")
    return FAMILIES[name]


def enabled_families(project: Project) -> list[Family]:
    return [family(name, f"{project.where}: models") for name in project.models]


def family_variables(project: Project) -> dict[str, Any]:
    """The variable defaults of the families a project enables (below each module's own)."""
    merged: dict[str, Any] = {}
    for fam in enabled_families(project):
        merged.update(fam.variables)
    return merged


def loader_variables(project: Project, name: str, cli_vars: Mapping[str, Any], dialect: str) -> dict[str, Any]:
    """What `sluice load --source <family>` renders its DDL with, lowest first: lifecycle
    defaults, the family's, sluice.yml's vars, --var; identifiers checked for the dialect."""
    return check_identifiers(merge_variables(LIFECYCLE_DEFAULTS, family(name).variables, project.vars, cli_vars),
                             where="variables", dialect=dialect)


def template_globals(families: Iterable[Family]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for fam in families:
        merged.update(fam.globals())
    return merged


def project_renderer(project: Project, dialect: str | None) -> Renderer:
    """A renderer for a project's SQL: its own `sql/macros/` before the macros of the families
    it enables and Sluice's, and the names of those families."""
    families = enabled_families(project)
    return Renderer(dialect, [project.root / "sql" / "macros", *(f.macros for f in families)],
                    template_globals(families), cache_dir=project.root / ".sluice" / "cache" / "jinja")
