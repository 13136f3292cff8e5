"""Typed configuration: every file a user writes (sluice.yml, a target's settings,
module.yml, a playbook) is read into a pydantic model through `validate`, so a wrong key or
type is one line naming the file, the key and what was expected, and nothing downstream
handles raw YAML."""

from __future__ import annotations

from collections.abc import Mapping
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError

from sluice.errors import ConfigError, SluiceError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """A configuration mapping: unknown keys are errors, and each value must be of its declared
    kind (a list is not a mapping, `soon` is not a number)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def validate(model: type[M], data: Any, where: str, error: type[SluiceError] = ConfigError) -> M:
    """`data` as a `model`, or one line naming `where`, the key and what it should be."""
    if not isinstance(data, Mapping):
        raise error(f"{where}: expected a mapping of keys to values, not {_kind(data)}")
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise error(f"{where}: {describe(exc, model)}") from None


def describe(exc: ValidationError, model: type[BaseModel]) -> str:
    """The first problem pydantic found, as `key.sub: what is wrong (got ...)`."""
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        known = _known_keys(model, first["loc"][:-1])
        return f"{location}: unknown key" + (f" (known: {', '.join(known)})" if known else "")
    message = first["msg"].replace("Input should be", "expected").replace("Value error, ", "")
    return f"{location}: {message} (got {_show(first.get('input'))})"


def _known_keys(model: type[BaseModel], path: tuple) -> list[str]:
    """The keys the mapping at `path` may hold, when a model defines it."""
    current: Any = model
    for part in path:
        if _model_in(current) is not None:
            fields = _model_in(current).model_fields
            current = fields[str(part)].annotation if str(part) in fields else None
        else:  # a dict or a list: `part` is a key or an index; go on with the value's type
            args = getattr(current, "__args__", ())
            current = args[-1] if args else None
    found = _model_in(current)
    return sorted(found.model_fields) if found is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation names, alone or in an Optional/Union (not inside a container)."""
    union = get_origin(annotation) in (Union, UnionType)
    for candidate in (annotation, *(get_args(annotation) if union else ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "nothing"}.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _kind(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def reject_unknown(data: Mapping, known: set[str], where: str, error: type[SluiceError] = ConfigError) -> None:
    """One line naming the keys a hand-parsed mapping may not hold, and the ones it may (for
    SQL Runner's playbook format, whose colon-prefixed keys no model describes)."""
    unknown = sorted(str(k) for k in set(data) - known)
    if unknown:
        raise error(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
