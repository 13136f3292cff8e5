"""Module locks, held in the warehouse's `module_locks` table.

One row per locked module; its primary key makes a second insert fail, so whichever run
inserts first holds the lock, on every target. A lock whose holder is gone (a dead pid on
this host, or older than `stale_after`) is taken over with a warning: a crashed run must not
block the schedule forever, and its uncommitted work is redone by the next run anyway.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from runner.errors import LockHeld, QueryError
from runner.state import LifecycleState, literal


@dataclass(frozen=True)
class Holder:
    module: str
    run_id: str
    host: str
    pid: int
    since: datetime

    def __str__(self) -> str:
        return f"run {self.run_id} on host {self.host}, pid {self.pid}, since {self.since:%Y-%m-%d %H:%M:%S}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ModuleLocks:
    def __init__(self, state: LifecycleState, stale_after: timedelta = timedelta(hours=6),
                 warn: Callable[[str], None] = print):
        self.state = state
        self.stale_after = stale_after
        self.warn = warn
        self.host = socket.gethostname()

    def holder(self, module: str) -> Holder | None:
        rows = self.state.session.fetch(
            f"SELECT module, run_id, host, pid, since FROM {self.state.locks} WHERE module = {literal(module)}").rows
        return Holder(rows[0][0], rows[0][1], rows[0][2], int(rows[0][3]), rows[0][4]) if rows else None

    def held(self) -> list[Holder]:
        rows = self.state.session.fetch(
            f"SELECT module, run_id, host, pid, since FROM {self.state.locks} ORDER BY module").rows
        return [Holder(r[0], r[1], r[2], int(r[3]), r[4]) for r in rows]

    def acquire(self, module: str, run_id: str, wait: float = 0.0) -> None:
        """Take the module's lock, waiting up to `wait` seconds; LockHeld names the holder."""
        deadline = time.monotonic() + wait
        while True:
            if self._try_insert(module, run_id):
                return
            holder = self.holder(module)
            if holder is None:
                continue  # released between our insert and our look
            if self._stale(holder):
                self.warn(f"module '{module}': taking over a stale lock ({holder})")
                self.state.run(f"DELETE FROM {self.state.locks} WHERE module = {literal(module)} "
                               f"AND run_id = {literal(holder.run_id)}")
                continue
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait:g}s" if wait else ""
                raise LockHeld(f"module '{module}' is locked by {holder}{waited}")
            time.sleep(min(0.5, max(deadline - time.monotonic(), 0.05)))

    def release(self, module: str, run_id: str) -> None:
        self.state.run(f"DELETE FROM {self.state.locks} WHERE module = {literal(module)} "
                       f"AND run_id = {literal(run_id)}")

    def _try_insert(self, module: str, run_id: str) -> bool:
        try:
            inserted = self.state.run(
                f"INSERT INTO {self.state.locks} (module, run_id, host, pid, since) "
                f"SELECT {literal(module)}, {literal(run_id)}, {literal(self.host)}, {os.getpid()}, "
                f"{self.state.now} WHERE NOT EXISTS "
                f"(SELECT 1 FROM {self.state.locks} WHERE module = {literal(module)})")
        except QueryError:
            return False  # the primary key said no: someone inserted first
        return inserted > 0

    def _stale(self, holder: Holder) -> bool:
        if holder.host == self.host and not pid_alive(holder.pid):
            return True
        age = datetime.now(timezone.utc).replace(tzinfo=None) - holder.since.replace(tzinfo=None)
        return age > self.stale_after
