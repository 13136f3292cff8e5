"""Template variables: `--var` assignments, and the one precedence order of their layers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sluice.errors import ArgumentError

_NUMERAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


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
    """Lowest precedence first: lifecycle defaults < the model families' < module < playbook <
    sluice.yml global < sluice.yml per module < --var."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer or {})
    return merged
