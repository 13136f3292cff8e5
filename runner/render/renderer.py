"""Rendering SQL: Jinja2 with StrictUndefined and the dialect macros of `sql/macros/`.

The macros dispatch by dialect the way dbt's do: a file defines `default__name` and, only
where a warehouse differs, `duckdb__name`, `postgres__name` or `redshift__name`; templates
call plain `name(...)`. Redshift falls back to Postgres. The renderer knows no model: what a
model family's templates need beyond the macros arrives as `extra_globals`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import jinja2

from sluice import resources
from sluice.errors import TemplateError
from sluice.render.gotemplate import GO_TEMPLATE_GLOBALS, GoTemplateError, translate
from sluice.render.identifiers import IDENTIFIER, SUFFIX, check_length, fold

#: dialect -> the dialects whose macros it may borrow, most specific first
DIALECT_FALLBACK = {
    "duckdb": ("duckdb", "default"),
    "postgres": ("postgres", "default"),
    "redshift": ("redshift", "postgres", "default"),
}


class Renderer:
    """Renders SQL templates for one dialect, with the macros of that dialect."""

    def __init__(self, dialect: str | None, macro_dirs: Iterable[Path] = (),
                 extra_globals: Mapping[str, Any] | None = None, cache_dir: Path | None = None):
        """`dialect=None` renders without macros (a playbook file filled from --var).
        `macro_dirs` come before Sluice's own macros; `extra_globals` are names a model family
        gives its templates (the Snowplow atomic columns, say). Compiled templates are kept
        for the process and, with `cache_dir`, there between processes (a run that has nothing
        new to do is then not spent compiling Jinja)."""
        if dialect is not None and dialect not in DIALECT_FALLBACK:
            raise TemplateError(f"no macros for dialect '{dialect}'")
        self.dialect = dialect
        dirs = [*macro_dirs, resources.macros()]
        self.macro_dirs = list(dict.fromkeys(d.resolve() for d in dirs if d.is_dir()))
        self._texts = _Texts()
        self.env = jinja2.Environment(
            undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False, loader=self._texts,
            bytecode_cache=_BytecodeCache(cache_dir),
        )
        self.env.globals.update(GO_TEMPLATE_GLOBALS)
        self.env.globals["dialect"] = dialect
        self._compiled: dict[tuple[str, bool], jinja2.Template] = {}
        self.env.globals.update(table=_table, ts_literal=_ts_literal, number=_number, fail=_fail, var=_var)
        self.env.globals.update(extra_globals or {})
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
            return self._template("\n".join(sources)).make_module(self.env.globals, shared=True)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"sql/macros: {exc}") from None

    def _compile(self, source: str, origin: str, go_template: bool) -> jinja2.Template:
        # A module's SQL files render once per run and the lifecycle's own snippets many
        # times: compile each text once.
        key = (source, go_template)
        if key not in self._compiled:
            text = translate(source, origin) if go_template else source
            self._compiled[key] = self._template(text)
        return self._compiled[key]

    def _template(self, text: str) -> jinja2.Template:
        """The template of a text, through the loader, so the bytecode cache can serve it."""
        return self.env.get_template(self._texts.add(text))

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


class _Texts(jinja2.BaseLoader):
    """Templates named by the hash of their text: the same text is the same template, in this
    process and, through the bytecode cache, in the next."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}

    def add(self, text: str) -> str:
        name = hashlib.sha256(text.encode()).hexdigest()
        self.texts[name] = text
        return name

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, None, Callable[[], bool]]:
        return self.texts[template], None, lambda: True


class _BytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process (every renderer compiles the same
    macros and model SQL) and, with a folder, between processes. Only a cache: a folder that
    cannot be read or written means compiling again."""

    #: (template key, source checksum) -> code; every renderer's environment has the same options
    _in_process: ClassVar[dict[tuple[str, str], Any]] = {}

    def __init__(self, folder: Path | None):
        self.files = jinja2.FileSystemBytecodeCache(str(folder)) if folder is not None else None
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._in_process.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code
            return
        if self.files is not None:
            try:
                self.files.load_bytecode(bucket)
            except (OSError, ValueError, EOFError):
                bucket.reset()
            if bucket.code is not None:
                self._in_process[bucket.key, bucket.checksum] = bucket.code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._in_process[bucket.key, bucket.checksum] = bucket.code
        if self.files is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                self.files.dump_bytecode(bucket)
            except OSError:
                pass


@jinja2.pass_context
def _table(context: Any, schema: str, name: str) -> str:
    """`schema.name<entropy>`, each part checked and folded for the dialect, so no template
    types the suffix by hand and no name is longer than the warehouse keeps."""
    entropy, dialect = str(context.get("entropy", "")), context.get("dialect")
    for part in (schema, name):
        if not IDENTIFIER.match(str(part)):
            raise TemplateError(f"table(): {part!r} is not a valid identifier")
    if not SUFFIX.match(entropy):
        raise TemplateError(f"table(): entropy {entropy!r} is not a valid suffix")
    return f"{check_length(fold(schema, dialect), dialect)}.{check_length(fold(name + entropy, dialect), dialect)}"


@jinja2.pass_context
def _var(context: Any, name: str) -> Any:
    """The value of the variable called `name` (a check's settings name the variable that holds
    a schema, say)."""
    if name not in context:
        raise TemplateError(f"var(): variable '{name}' is not defined")
    return context[name]


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
