"""A Sluice project holding the growth family, fed through `sluice load --source growth`'s loader.

`session(...)` and `registration(...)` build one CSV row; `GrowthModel.load(sessions, conversions)`
writes them as a batch folder and loads it (each file one load batch, as the command does).
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from sluice.config import load_project
from sluice.events.growth.load import load_growth
from sluice.lifecycle.engine import Lifecycle
from sluice.output import Reporter
from tests.integration.rudder import plain

T0 = datetime(2020, 6, 1, 10, 0, 0)
MODULES = ("growth_staging", "growth_dwh", "growth_mart")
#: every table the family builds, for snapshots
OUTPUTS = ("growth_all_sessions", "growth_all_registrations", "growth_users", "dim_user", "dim_channel",
           "fact_sessions", "fact_registrations", "fact_registration_attribution", "mart_channel_attribution")
SESSION_HEADER = ("user_id", "time_started", "is_paid", "medium")
CONVERSION_HEADER = ("user_id", "registration_time")


def at(hours: float = 0, minutes: float = 0, seconds: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def text(when: datetime | None) -> str:
    return "" if when is None else when.strftime("%Y-%m-%d %H:%M:%S")


def session(user: int | None, when: datetime | None, medium: str | None, paid: bool | None = None) -> tuple:
    paid_text = "" if paid is None else ("true" if paid else "false")
    return ("" if user is None else str(user), text(when), paid_text, medium or "")


def registration(user: int | None, when: datetime | None) -> tuple:
    return ("" if user is None else str(user), text(when))


class GrowthModel:
    def __init__(self, root: Path, target: dict, variables: dict | None = None, modules: dict | None = None):
        self.root = root
        config = {"default_target": "test", "targets": {"test": target}, "models": ["growth"],
                  "vars": variables or {}, "modules": modules or {}}
        (root / "sluice.yml").write_text(yaml.safe_dump(config))
        self.project = load_project(root)
        self.output_schema = (variables or {}).get("output_schema", "derived")
        self.entropy = (variables or {}).get("entropy", "")
        self.loads = 0

    def write_batch(self, sessions: list[tuple] = (), conversions: list[tuple] = ()) -> Path:
        """A batch folder holding the files given (a file only when it has rows)."""
        self.loads += 1
        folder = self.root / "batches" / f"batch-{self.loads:04d}"
        folder.mkdir(parents=True)
        for name, header, rows in (("sessions", SESSION_HEADER, sessions),
                                   ("conversions", CONVERSION_HEADER, conversions)):
            if rows:
                with open(folder / f"{name}.csv", "w", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\n")
                    writer.writerow(header)
                    writer.writerows(rows)
        return folder

    def load(self, sessions: list[tuple] = (), conversions: list[tuple] = ()):
        """Load one batch folder; returns the load summary."""
        if not sessions and not conversions:
            return None
        return self.load_path(self.write_batch(sessions, conversions))

    def load_path(self, path: Path):
        return load_growth(self.project, None, {}, path, self.root / "rejects.tsv")

    def sql(self, sql: str) -> list[tuple]:
        with self.project.target() as target:
            result = target.connect().execute(sql)
            return result.last.rows if result.last else []

    def lifecycle(self, target) -> Lifecycle:
        return Lifecycle(self.project, target, {}, Reporter()).open()

    def run(self, *modules: str) -> None:
        with self.project.target() as target:
            self.lifecycle(target).catch_up(modules)

    def exists(self, name: str) -> bool:
        return bool(self.sql(f"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                             f"'{self.output_schema}' AND table_name = '{name}{self.entropy}'")[0][0])

    def table(self, name: str, columns: str, order: str | None = None) -> list[tuple]:
        rows = self.sql(f"SELECT {columns} FROM {self.output_schema}.{name}{self.entropy} "
                        f"ORDER BY {order or columns}")
        return [tuple(plain(v) for v in row) for row in rows]

    def attribution(self) -> list[tuple]:
        """(user, registration time, channel, credited medium, hours, rule) per registration."""
        return self.table("fact_registration_attribution",
                          "user_id, registration_time, channel_name, attributed_medium, hours_to_convert, rule_id",
                          "user_id, registration_time")

    def snapshot(self) -> dict[str, list[Any]]:
        """Every output, all columns, sorted."""
        result = {}
        with self.project.target() as target:
            session_ = target.connect()
            for name in OUTPUTS:
                if not self.exists(name):
                    result[name] = []
                    continue
                rows = session_.fetch(f"SELECT * FROM {self.output_schema}.{name}{self.entropy}")
                result[name] = sorted((tuple(plain(v) for v in row) for row in rows.rows), key=repr)
        return result
