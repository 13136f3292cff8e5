"""Values that land in identifiers: checked before anything renders, and folded the way the
warehouse folds them, in this one place.

A value such as `x; drop table y` stops the playbook instead of reaching the warehouse. An
unquoted `Derived` is `derived` to PostgreSQL and Redshift (and case-insensitive in DuckDB),
so every identifier variable is folded with sqlglot's rules for the dialect before it is
used: the tables the SQL creates and the names the runner looks up in `information_schema`
are then the same text.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlglot
from sqlglot import exp

from sluice.errors import TemplateError

#: variables whose values are identifiers (or identifier suffixes) whatever the playbook says
IDENTIFIER_PATTERNS = ("*_schema", "schema", "*_table", "entropy", "*_suffix", "*_prefix")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SUFFIX = re.compile(r"^[A-Za-z0-9_]*$")
#: longest identifier each warehouse keeps whole (PostgreSQL cuts longer names at NAMEDATALEN-1
#: bytes, so two long names could silently become one); DuckDB has no limit.
#: https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS
#: https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
MAX_IDENTIFIER_LENGTH = {"postgres": 63, "redshift": 127}


def identifier_variables(variables: Mapping[str, Any], declared: Iterable[str] = ()) -> list[str]:
    """The names of the variables whose values land in identifiers."""
    names = set(declared) | {n for n in variables if any(fnmatch.fnmatch(n, p) for p in IDENTIFIER_PATTERNS)}
    return sorted(names & set(variables))


def check_identifiers(variables: Mapping[str, Any], declared: Iterable[str] = (), where: str = "",
                      dialect: str | None = None) -> dict[str, Any]:
    """The variables with every identifier value checked and folded for `dialect`; a value
    that is no identifier raises TemplateError naming the variable."""
    checked = dict(variables)
    for name in identifier_variables(variables, declared):
        value = variables[name]
        is_suffix = name == "entropy" or name.endswith("_suffix")
        if is_suffix and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # `--var entropy=2` arrives as a number; it renders as "2"
        pattern = SUFFIX if is_suffix else IDENTIFIER
        if not isinstance(value, str) or not pattern.match(value):
            prefix = f"{where}: " if where else ""
            raise TemplateError(f"{prefix}variable '{name}' = {value!r} is not a valid identifier "
                                "(letters, digits and _ only)")
        checked[name] = fold(value, dialect)
    return checked


def check_identifier(name: str) -> str:
    if not IDENTIFIER.match(str(name)):
        raise TemplateError(f"{name!r} is not a valid identifier")
    return name


def fold(name: str, dialect: str | None) -> str:
    """An unquoted identifier as the warehouse stores it."""
    if dialect is None or not name:
        return name
    return sqlglot.Dialect.get_or_raise(dialect).normalize_identifier(exp.Identifier(this=name, quoted=False)).name


def check_length(name: str, dialect: str | None) -> str:
    limit = MAX_IDENTIFIER_LENGTH.get(dialect or "")
    if limit is not None and len(name.encode()) > limit:
        raise TemplateError(f"identifier {name!r} is longer than {dialect}'s {limit} bytes "
                            "(shorten the name, the entropy or a prefix)")
    return name
