"""Rendering SQL: Jinja2 with StrictUndefined, dialect macros, identifier checks.

Variables arrive already merged (see `merge_variables`). Values that land in identifiers
(schemas, table names, the `entropy` suffix) are checked before anything renders, so a value
such as `x; drop table y` stops the playbook instead of reaching the warehouse.

The macros in `sql/macros/` dispatch by dialect the way dbt's do: a file defines
`default__name` and, only where a warehouse differs, `duckdb__name`, `postgres__name` or
`redshift__name`; templates call plain `name(...)`. Redshift falls back to Postgres.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from runner.errors import ArgumentError, TemplateError
from runner.events.schema import ATOMIC_COLUMNS, ATOMIC_FIELDS
from runner.gotemplate import GO_TEMPLATE_GLOBALS, GoTemplateError, translate

BUILTIN_MACROS = Path(__file__).resolve().parent.parent / "sql" / "macros"

#: variables whose values are identifiers (or identifier suffixes) whatever the playbook says
IDENTIFIER_PATTERNS = ("*_schema", "schema", "*_table", "entropy", "*_suffix", "*_prefix")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SUFFIX = re.compile(r"^[A-Za-z0-9_]*$")
_NUMERAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

#: dialect -> the dialects whose macros it may borrow, most specific first
DIALECT_FALLBACK = {
    "duckdb": ("duckdb", "default"),
    "postgres": ("postgres", "default"),
    "redshift": ("redshift", "postgres", "default"),
}


def parse_var_assignments(assignments: Iterable[str]) -> dict[str, Any]:
    """`--var k=v` (repeatable) and SQL Runner's `k1=v1,k2=v2` form -> a dict.

    `true`/`false` become booleans and numbers numbers, so `--var ua_bot_filter=false` is
    false in `{% if %}`; anything else (dates included) stays the string that was typed.
    """
    result: dict[str, Any] = {}
    for assignment in assignments:
        for part in _split_commas(assignment):
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise ArgumentError(f"--var '{part}': expected KEY=VALUE")
            result[key.strip()] = _scalar(value)
    return result


def _split_commas(assignment: str) -> list[str]:
    # A comma starts a new pair only when what follows looks like `key=`; values may hold commas.
    parts = re.split(r",(?=\s*[A-Za-z_][A-Za-z0-9_]*=)", assignment)
    return [p for p in parts if p.strip()]


def _scalar(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    # Only plain numerals that print back as typed: int()/float() alone would turn `007` into
    # 7, `1.10` into 1.1, `1_000` into 1000 and `nan` into a float, and a template would then
    # render something other than what was typed.
    if _NUMERAL.match(text):
        for kind in (int, float):
            try:
                number = kind(text)
            except ValueError:
                continue
            if str(number) == text:
                return number
    return text


def merge_variables(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Lowest precedence first: playbook < sluice.yml global < module < --var."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer or {})
    return merged


def check_identifiers(variables: Mapping[str, Any], declared: Iterable[str] = (), where: str = "") -> None:
    """Raise TemplateError if a variable that lands in an identifier is not one."""
    names = set(declared) | {n for n in variables if any(fnmatch.fnmatch(n, p) for p in IDENTIFIER_PATTERNS)}
    for name in sorted(names & set(variables)):
        value = variables[name]
        is_suffix = name == "entropy" or name.endswith("_suffix")
        if is_suffix and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # `--var entropy=2` arrives as a number; it renders as "2"
        pattern = _SUFFIX if is_suffix else _IDENTIFIER
        if not isinstance(value, str) or not pattern.match(value):
            prefix = f"{where}: " if where else ""
            raise TemplateError(
                f"{prefix}variable '{name}' = {value!r} is not a valid identifier "
                "(letters, digits and _ only)"
            )


def check_identifier(name: str) -> str:
    if not _IDENTIFIER.match(str(name)):
        raise TemplateError(f"{name!r} is not a valid identifier")
    return name


class Renderer:
    """Renders SQL templates for one dialect, with the macros of that dialect."""

    def __init__(self, dialect: str | None, macro_dirs: Iterable[Path] = ()):
        """`dialect=None` renders without macros (a playbook file filled from --var)."""
        if dialect is not None and dialect not in DIALECT_FALLBACK:
            raise TemplateError(f"no macros for dialect '{dialect}'")
        self.dialect = dialect
        dirs = [*macro_dirs, BUILTIN_MACROS]
        self.macro_dirs = list(dict.fromkeys(d.resolve() for d in dirs if d.is_dir()))
        self.env = jinja2.Environment(
            undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
        )
        self.env.globals.update(GO_TEMPLATE_GLOBALS)
        self.env.globals["dialect"] = dialect
        self._compiled: dict[tuple[str, bool], jinja2.Template] = {}
        self.env.globals.update(table=_table, ts_literal=_ts_literal, number=_number, fail=_fail,
                                atomic_columns=ATOMIC_COLUMNS, atomic_fields=ATOMIC_FIELDS)
        if dialect is not None:
            self.env.globals.update(self._dispatchers)

    @cached_property
    def _dispatchers(self) -> dict[str, Any]:
        """name -> the macro for this dialect, for every `<dialect>__name` defined."""
        module = self._macro_module()
        names = {attr.split("__", 1)[1] for attr in dir(module) if "__" in attr and not attr.startswith("_")}
        dispatch = {}
        for name in sorted(names):
            for candidate in DIALECT_FALLBACK[self.dialect]:
                macro = getattr(module, f"{candidate}__{name}", None)
                if macro is not None:
                    dispatch[name] = macro
                    break
        return dispatch

    def _macro_module(self) -> Any:
        # Built in the renderer's own environment: macros look names up in its globals when
        # called, so one macro can call another by its plain, dispatched name.
        sources = []
        for folder in self.macro_dirs:
            for path in sorted(folder.glob("*.sql")):
                sources.append(path.read_text())
        try:
            return self.env.from_string("\n".join(sources)).make_module(self.env.globals, shared=True)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"sql/macros: {exc}") from None

    def _compile(self, source: str, origin: str, go_template: bool) -> jinja2.Template:
        # A module's SQL files render once per run and the lifecycle's own snippets many
        # times: compile each text once.
        key = (source, go_template)
        if key not in self._compiled:
            text = translate(source, origin) if go_template else source
            self._compiled[key] = self.env.from_string(text)
        return self._compiled[key]

    def render(self, source: str, variables: Mapping[str, Any], origin: str, go_template: bool = False) -> str:
        """Render one template; errors name the file, line and variable."""
        try:
            return self._compile(source, origin, go_template).render(variables)
        except GoTemplateError as exc:
            raise TemplateError(str(exc)) from None
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"{origin}{_line(exc)}: {_undefined_message(exc)}") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"{origin}:{exc.lineno}: template syntax: {exc.message}") from None
        except TemplateError as exc:
            raise TemplateError(f"{origin}: {exc}") from None
        except (jinja2.TemplateError, TypeError, ValueError) as exc:
            raise TemplateError(f"{origin}{_line(exc)}: {exc}") from None


@jinja2.pass_context
def _table(context: Any, schema: str, name: str) -> str:
    """`schema.name<entropy>`, each part checked, so no template types the suffix by hand."""
    entropy = context.get("entropy", "")
    for part in (schema, name):
        if not _IDENTIFIER.match(str(part)):
            raise TemplateError(f"table(): {part!r} is not a valid identifier")
    if not _SUFFIX.match(str(entropy)):
        raise TemplateError(f"table(): entropy {entropy!r} is not a valid suffix")
    return f"{schema}.{name}{entropy}"


def _ts_literal(value: Any) -> str:
    """A date or timestamp variable as a SQL TIMESTAMP literal, checked first: it lands in SQL."""
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise TemplateError(f"{value!r} is not a date or timestamp (YYYY-MM-DD[ HH:MM:SS])") from None
    return f"CAST('{parsed:%Y-%m-%d %H:%M:%S}' AS TIMESTAMP)"


def _number(value: Any) -> int | float:
    """A numeric variable, checked: `--var days_late_allowed=3; drop` must not reach SQL."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            return int(str(value))
        except ValueError:
            raise TemplateError(f"{value!r} is not a number") from None
    return value


def _fail(message: str) -> None:
    raise TemplateError(message)


def _undefined_message(exc: jinja2.UndefinedError) -> str:
    match = re.match(r"'([^']+)' is undefined", str(exc))
    return f"variable '{match.group(1)}' is not defined" if match else str(exc)


def _line(exc: BaseException) -> str:
    """The template line of a render-time error, read from the traceback Jinja rewrites."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return f":{line}" if line else ""
