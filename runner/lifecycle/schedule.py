"""Cron schedules per module (`modules.<name>.schedule` in sluice.yml) and `sluice tick`.

A module is due when its last completed run started before the schedule's latest fire time.
`tick` runs the due modules in lifecycle order, each under its own lock, skipping (and
reporting) a module whose lock is held, so overlapping ticks never run a module twice.
"""

from __future__ import annotations

from datetime import datetime, timezone

from croniter import croniter

from sluice.errors import ConfigError, LockHeld
from sluice.lifecycle.engine import Lifecycle


def check_expression(expression: str, module: str = "") -> str:
    """The expression, or a one-line error naming the module when it is no cron expression."""
    if not croniter.is_valid(expression):
        raise ConfigError(f"module '{module}': schedule {expression!r} is not a valid cron expression")
    return expression


def previous_fire(expression: str, now: datetime, module: str = "") -> datetime:
    return croniter(check_expression(expression, module), now).get_prev(datetime)


def last_completed(lifecycle: Lifecycle, module: str) -> datetime | None:
    return lifecycle.state.scalar(f"SELECT MAX(run_start_tstamp) FROM {lifecycle.state.metadata} "
                                  "WHERE module = :module AND outcome = 'complete'", module=module)


def due_modules(lifecycle: Lifecycle, now: datetime | None = None) -> list[str]:
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    due = []
    for name in lifecycle.modules:
        expression = lifecycle.project.module_settings(name).schedule
        if not expression:
            continue
        last = last_completed(lifecycle, name)
        if last is None or last < previous_fire(expression, now, name):
            due.append(name)
    return due


def tick(lifecycle: Lifecycle, now: datetime | None = None) -> list[str]:
    """Run what is due; return the modules that ran."""
    due = due_modules(lifecycle, now)
    if not due:
        lifecycle.reporter.summary("tick", "tick: nothing is due", ran=[])
        return []
    ran = []
    in_order = [module.name for module, phase in lifecycle.plan(due) if phase == "main"]
    for name in in_order:
        try:
            lifecycle.run(lifecycle.plan([name]))
            ran.append(name)
        except LockHeld as exc:
            lifecycle.reporter.warning(f"tick: skipped {name}: {exc}")
    lifecycle.reporter.summary("tick", f"tick: ran {', '.join(ran) or 'nothing'}", ran=ran)
    return ran
