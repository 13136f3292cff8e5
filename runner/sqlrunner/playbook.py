"""Playbooks: YAML files of variables and ordered steps of queries.

Two formats are read into the same frozen dataclasses:

- the native one (`variables`, `steps`, each step `name` and `queries`, each query `name`
  and `file`), whose SQL files are Jinja2 templates;
- SQL Runner's, unchanged (`:targets:`, `:variables:`, `:steps:` with leading colons, and
  `:template: true` for SQL files written in its Go-template subset).

As in SQL Runner, the playbook text itself is a template filled from `--var` before it is
parsed, so `:host: {{.host}}` works. Query files are resolved and checked here, before any
connection opens.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sluice import resources
from sluice.config import parse_yaml, yaml_error_message
from sluice.errors import PlaybookError, TemplateError
from sluice.typed import reject_unknown

SQLRUNNER_MARK = re.compile(r"^\s*:(steps|targets|variables):", re.MULTILINE)
PLAYBOOK_KEYS = {"variables", "identifiers", "targets", "steps", "description"}
STEP_KEYS = {"name", "queries", "checks"}
QUERY_KEYS = {"name", "file", "template", "transaction"}
CHECK_KEYS = {"name", "file", "builtin", "severity", "with"}
SEVERITIES = ("critical", "warn")
SQLRUNNER_TARGET_KEYS = {"name", "type", "host", "database", "port", "username", "password", "ssl",
                         "region", "account", "warehouse", "project", "query_tag", "sslmode"}


@dataclass(frozen=True)
class Query:
    name: str
    file: Path
    #: render the file as a template (always in native playbooks; `:template:` in SQL Runner's)
    template: bool = True
    #: run the file in one transaction, so a failure leaves nothing half-done
    transaction: bool = True
    #: a data check (a SELECT of failing rows): `critical` stops the module, `warn` records
    severity: str | None = None
    #: variables of this query alone (a built-in check's table, column...)
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def is_check(self) -> bool:
        return self.severity is not None


@dataclass(frozen=True)
class Step:
    name: str
    queries: tuple[Query, ...]


@dataclass(frozen=True)
class Playbook:
    path: Path
    steps: tuple[Step, ...]
    variables: Mapping[str, Any]
    #: variables whose values land in identifiers, besides the usual names
    identifiers: tuple[str, ...] = ()
    #: targets defined inline (SQL Runner's `:targets:`), as sluice.yml-style settings
    targets: Mapping[str, Mapping[str, Any]] | None = None
    #: SQL files use SQL Runner's Go-template subset
    go_templates: bool = False

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)


def load_playbook(path: Path, cli_vars: Mapping[str, Any], renderer: Any, sqlroot: Path | None = None,
                  project_root: Path | None = None) -> Playbook:
    """Read, fill, parse and validate one playbook file."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise PlaybookError(f"{path}: cannot read playbook: {exc.strerror}") from None
    sqlrunner = bool(SQLRUNNER_MARK.search(text))
    if "{{" in text or "{%" in text:
        try:
            text = renderer.render(text, cli_vars, str(path), go_template=sqlrunner)
        except TemplateError as exc:
            raise PlaybookError(str(exc)) from None
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise PlaybookError(yaml_error_message(path, exc)) from None
    if not isinstance(data, dict):
        raise PlaybookError(f"{path}: a playbook is a mapping with 'steps'")
    root = sqlroot or default_sqlroot(path, project_root)
    return (_parse_sqlrunner if sqlrunner else _parse_native)(path, data, root)


def default_sqlroot(path: Path, project_root: Path | None) -> Path:
    """A playbook under `<root>/playbooks/` reads SQL from the mirrored folder under
    `<root>/sql/`, where the root is the project's folder or Sluice's own (the standard
    modules); any other playbook reads it beside itself (SQL Runner's PLAYBOOK)."""
    path = path.resolve()
    roots = [project_root.resolve()] if project_root is not None else []
    for root in (*roots, resources.bundled_root()):
        playbooks = root / "playbooks"
        if playbooks in path.parents:
            return root / "sql" / path.parent.relative_to(playbooks)
    return path.parent


def _parse_native(path: Path, data: dict, sqlroot: Path) -> Playbook:
    reject_unknown(data, PLAYBOOK_KEYS, str(path), PlaybookError)
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise PlaybookError(f"{path}: 'variables' must be a mapping")
    identifiers = data.get("identifiers") or []
    if not isinstance(identifiers, list):
        raise PlaybookError(f"{path}: 'identifiers' must be a list of variable names")
    steps = _parse_steps(path, data.get("steps"), sqlroot)
    return Playbook(path, steps, variables, tuple(identifiers))


def _parse_sqlrunner(path: Path, data: dict, sqlroot: Path) -> Playbook:
    data = _strip_colons(data)
    reject_unknown(data, {"targets", "variables", "steps"}, str(path), PlaybookError)
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise PlaybookError(f"{path}: ':variables:' must be a mapping")
    targets = {}
    for i, entry in enumerate(data.get("targets") or []):
        if not isinstance(entry, dict):
            raise PlaybookError(f"{path}: target {i + 1} is not a mapping")
        reject_unknown(entry, SQLRUNNER_TARGET_KEYS, f"{path}: target {i + 1}", PlaybookError)
        name = str(entry.get("name") or f"target{i + 1}")
        targets[name] = sqlrunner_target_settings(entry)
    steps = _parse_steps(path, data.get("steps"), sqlroot, template_default=False)
    return Playbook(path, steps, variables, (), targets or None, go_templates=True)


def sqlrunner_target_settings(entry: Mapping[str, Any]) -> dict[str, Any]:
    """SQL Runner's target keys -> a sluice.yml target."""
    settings = {"type": str(entry.get("type", "")).lower()}
    renames = {"host": "host", "port": "port", "database": "dbname", "username": "user",
               "password": "password", "sslmode": "sslmode"}
    for key, ours in renames.items():
        if entry.get(key) not in (None, ""):
            settings[ours] = entry[key]
    if entry.get("ssl") and "sslmode" not in settings and settings["type"] != "redshift":
        settings["sslmode"] = "require"
    return settings


def _parse_steps(path: Path, steps: Any, sqlroot: Path, template_default: bool = True) -> tuple[Step, ...]:
    if not isinstance(steps, list) or not steps:
        raise PlaybookError(f"{path}: the playbook has no steps")
    parsed, seen = [], set()
    for i, step in enumerate(steps, 1):
        if not isinstance(step, dict):
            raise PlaybookError(f"{path}: step {i} is not a mapping")
        reject_unknown(step, STEP_KEYS, f"{path}: step {i}", PlaybookError)
        name = str(step.get("name") or f"step{i}")
        if name in seen:
            raise PlaybookError(f"{path}: step '{name}' appears twice")
        seen.add(name)
        if "checks" in step:
            parsed.append(Step(name, _parse_checks(path, name, step, sqlroot)))
            continue
        queries = step.get("queries")
        if not isinstance(queries, list) or not queries:
            raise PlaybookError(f"{path}: step '{name}' has no queries")
        parsed.append(Step(name, tuple(_parse_query(path, name, q, j, sqlroot, template_default)
                                       for j, q in enumerate(queries, 1))))
    return tuple(parsed)


def _parse_checks(path: Path, step: str, spec: dict, sqlroot: Path) -> tuple[Query, ...]:
    """A step of data checks: each a SELECT of the rows that fail it, with a severity."""
    checks = spec.get("checks")
    if "queries" in spec:
        raise PlaybookError(f"{path}: step '{step}' has both queries and checks; give each a step of its own")
    if not isinstance(checks, list) or not checks:
        raise PlaybookError(f"{path}: step '{step}' has no checks")
    return tuple(_parse_check(path, step, check, i, sqlroot) for i, check in enumerate(checks, 1))


def _parse_check(path: Path, step: str, check: Any, index: int, sqlroot: Path) -> Query:
    where = f"{path}: step '{step}' check {index}"
    if not isinstance(check, dict):
        raise PlaybookError(f"{where}: a check is a mapping with 'name', 'file' (or 'builtin') and 'severity'")
    reject_unknown(check, CHECK_KEYS, where, PlaybookError)
    name = str(check.get("name") or "")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise PlaybookError(f"{where}: name {name!r} must be lower-case letters, digits and _ (it names a table)")
    severity = check.get("severity")
    if severity not in SEVERITIES:
        raise PlaybookError(f"{where}: severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    if bool(check.get("file")) == bool(check.get("builtin")):
        raise PlaybookError(f"{where}: give either 'file' or 'builtin' ({', '.join(resources.builtin_checks())})")
    if check.get("builtin"):
        if check["builtin"] not in resources.builtin_checks():
            raise PlaybookError(f"{where}: no built-in check '{check['builtin']}' "
                                f"(built in: {', '.join(resources.builtin_checks())})")
        file = resources.builtin_checks()[check["builtin"]]
    else:
        file = (sqlroot / str(check["file"])).resolve()
        if not file.is_file():
            raise PlaybookError(f"{where}: SQL file {file} does not exist")
    params = check.get("with") or {}
    if not isinstance(params, dict):
        raise PlaybookError(f"{where}: 'with' is a mapping of the check's variables")
    return Query(name, file, severity=severity, params=tuple(sorted(params.items())))


def _parse_query(path: Path, step: str, query: Any, index: int, sqlroot: Path, template_default: bool) -> Query:
    where = f"{path}: step '{step}' query {index}"
    if not isinstance(query, dict):
        raise PlaybookError(f"{where}: a query is a mapping with 'name' and 'file'")
    reject_unknown(query, QUERY_KEYS, where, PlaybookError)
    name = str(query.get("name") or f"query{index}")
    if not query.get("file"):
        raise PlaybookError(f"{path}: step '{step}' query '{name}' names no file")
    file = (sqlroot / str(query["file"])).resolve()
    if not file.is_file():
        raise PlaybookError(f"{path}: step '{step}' query '{name}': SQL file {file} does not exist")
    return Query(name, file, bool(query.get("template", template_default)), bool(query.get("transaction", True)))


def _strip_colons(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k).lstrip(":"): _strip_colons(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_colons(v) for v in value]
    return value
