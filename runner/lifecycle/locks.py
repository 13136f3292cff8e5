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

from sluice.errors import LockHeld, QueryError
from sluice.lifecycle.state import LifecycleState


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
        rows = self.state.rows(f"SELECT module, run_id, host, pid, since FROM {self.state.locks} "
                               "WHERE module = :module", module=module)
        return Holder(rows[0][0], rows[0][1], rows[0][2], int(rows[0][3]), rows[0][4]) if rows else None

    def held(self) -> list[Holder]:
        rows = self.state.rows(f"SELECT module, run_id, host, pid, since FROM {self.state.locks} ORDER BY module")
        return [Holder(r[0], r[1], r[2], int(r[3]), r[4]) for r in rows]

    def acquire(self, module: str, run_id: str, wait: float = 0.0) -> None:
        """Take the module's lock, waiting up to `wait` seconds; LockHeld names the holder."""
        deadline = time.monotonic() + wait
        unexplained = 0
        while True:
            failure = self._try_insert(module, run_id)
            if failure is None:
                return
            holder = self.holder(module)
            if holder is None:
                # Either the holder released between our insert and our look, or the insert
                # failed for a reason of its own: try again, but not forever.
                unexplained += 1
                if unexplained > 3:
                    raise failure
                continue
            if self._stale(holder):
                self.warn(f"module '{module}': taking over a stale lock ({holder})")
                self.release(module, holder.run_id)
                continue
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait:g}s" if wait else ""
                raise LockHeld(f"module '{module}' is locked by {holder}{waited}")
            time.sleep(min(0.5, max(deadline - time.monotonic(), 0.05)))

    def release(self, module: str, run_id: str) -> None:
        self.state.run(f"DELETE FROM {self.state.locks} WHERE module = :module AND run_id = :run_id",
                       module=module, run_id=run_id)

    def _try_insert(self, module: str, run_id: str) -> QueryError | None:
        """None when this run now holds the lock; else the insert's error (the primary key's
        refusal when someone holds it)."""
        try:
            self.state.run(f"INSERT INTO {self.state.locks} (module, run_id, host, pid, since) "
                           f"VALUES (:module, :run_id, :host, :pid, {self.state.now})",
                           module=module, run_id=run_id, host=self.host, pid=os.getpid())
        except QueryError as exc:
            return exc
        return None

    def _stale(self, holder: Holder) -> bool:
        if holder.host == self.host and not pid_alive(holder.pid):
            return True
        age = datetime.now(timezone.utc).replace(tzinfo=None) - holder.since.replace(tzinfo=None)
        return age > self.stale_after
