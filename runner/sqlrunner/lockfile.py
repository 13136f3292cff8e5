"""SQL Runner's lock files for `sluice playbook --lock/--soft-lock/--check-lock/--delete-lock`.

A lock is a file created exclusively, holding who took it (host, pid, since). A hard lock
(`--lock`) is removed only when the run succeeds, so a failed run blocks the next until an
operator looks; a soft lock (`--soft-lock`) is removed whatever happens. Module runs take
their locks in the warehouse instead (see the lifecycle).
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from sluice.errors import LockError, LockHeld


def holder_of(path: Path) -> str:
    try:
        info = json.loads(path.read_text())
        return f"host {info['host']}, pid {info['pid']}, since {info['since']}"
    except (OSError, ValueError, KeyError):
        return "unknown holder"


def acquire(path: Path) -> None:
    """Create the lock file, or raise LockHeld naming who has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {"host": socket.gethostname(), "pid": os.getpid(),
            "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        raise LockHeld(f"lock {path} is held ({holder_of(path)})") from None
    except OSError as exc:
        raise LockError(f"cannot create lock {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w") as handle:
        json.dump(info, handle)


def release(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def check(path: Path) -> str:
    """Raise LockHeld if the lock exists; otherwise say it is free."""
    if path.exists():
        raise LockHeld(f"lock {path} is held ({holder_of(path)})")
    return f"lock {path} is free"


def delete(path: Path) -> str:
    if not path.exists():
        raise LockError(f"lock {path} does not exist")
    holder = holder_of(path)
    release(path)
    return f"deleted lock {path} ({holder})"
