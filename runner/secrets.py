"""Secrets come from the environment and are kept out of every line Sluice prints.

A setting written `env:NAME` is read from the environment variable NAME. Every secret value
the process has seen is registered here, and `redact()` masks them in any text bound for a
terminal, a log or a rendered-SQL dump.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from sluice.errors import ConfigError

_SEEN: set[str] = set()
_LOCK = threading.Lock()
MASK = "****"


def resolve(value: Any) -> Any:
    """`env:NAME` -> the environment's NAME (registered as a secret); anything else as is."""
    if isinstance(value, str) and value.startswith("env:"):
        name = value[4:]
        if name not in os.environ:
            raise ConfigError(f"environment variable {name} is not set (needed for '{value}')")
        register(os.environ[name])
        return os.environ[name]
    return value


def register(secret: str | None) -> None:
    if secret and len(secret) >= 3:  # masking 1-2 characters would shred ordinary text
        with _LOCK:
            _SEEN.add(secret)


def redact(text: str) -> str:
    with _LOCK:
        secrets = sorted(_SEEN, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text
