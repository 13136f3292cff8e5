"""A small project of the tests' own to prove the lifecycle: one producer (`events_base`,
whole accounts re-staged per batch) and two consumers of `events_staged` on different
schedules (`account_totals`, `account_days`). See tests/fixtures/accounts/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from sluice.config import load_project
from sluice.lifecycle.engine import Lifecycle
from sluice.output import Reporter

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "accounts"
MODULES = ("events_base", "account_totals", "account_days")
#: three batches of (account, amount, day) events
BATCHES = [
    [("a", 1, 0), ("b", 2, 0)],
    [("a", 3, 1), ("c", 4, 1)],
    [("b", 5, 2), ("c", 6, 2), ("d", 7, 3)],
]


class Accounts:
    def __init__(self, root: Path, target: dict, entropy: str = "", modules: dict | None = None):
        self.root = root
        self.entropy = entropy
        for folder in ("playbooks", "sql"):
            if not (root / folder).exists():
                shutil.copytree(FIXTURE / folder, root / folder)
        self.target_settings = target
        self.configure(modules)
        self._next_event = 0

    def configure(self, modules: dict | None = None) -> None:
        """(Re)write sluice.yml, e.g. to enable a module later."""
        config = {"default_target": "test", "targets": {"test": self.target_settings}, "models": [],
                  "vars": {"input_schema": "src", "entropy": self.entropy}, "modules": modules or {}}
        (self.root / "sluice.yml").write_text(yaml.safe_dump(config))
        self.project = load_project(self.root)

    def lifecycle(self, target=None) -> Lifecycle:
        target = target or self.project.target()
        return Lifecycle(self.project, target, {}, Reporter()).open()

    def write_sql(self, relative: str, text: str) -> None:
        """A SQL file of a custom module, at `sql/custom/<relative>`."""
        path = self.root / "sql" / "custom" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def sql(self, sql: str) -> list[tuple]:
        with self.project.target() as target:
            session = target.connect()
            result = session.execute(sql)
            return result.last.rows if result.last else []

    def create_source(self) -> None:
        self.sql(f"CREATE SCHEMA IF NOT EXISTS src; CREATE TABLE IF NOT EXISTS src.raw_events{self.entropy} "
                 "(event_id VARCHAR(36), account VARCHAR(36), amount INTEGER, loaded_at TIMESTAMP)")

    def load(self, events: list[tuple[str, int, int]]) -> None:
        """Append a batch of (account, amount, day) events with fresh ids."""
        if not events:
            return
        values = []
        for account, amount, day in events:
            self._next_event += 1
            values.append(f"('e{self._next_event}', '{account}', {amount}, "
                          f"CAST('2024-01-{day + 1:02d} 12:00:00' AS TIMESTAMP))")
        self.sql(f"INSERT INTO src.raw_events{self.entropy} VALUES {', '.join(values)}")

    def outputs(self) -> dict[str, list[tuple]]:
        e = self.entropy
        return {
            "account_totals": self._rows(f"SELECT account, events, amount FROM derived.account_totals{e}"),
            "account_days": self._rows(f"SELECT account, CAST(day AS VARCHAR), events, amount "
                                       f"FROM derived.account_days{e}"),
        }

    def expected(self) -> dict[str, list[tuple]]:
        """What one run over all the input gives, computed straight from the source."""
        src = f"src.raw_events{self.entropy}"
        return {
            "account_totals": self._rows(f"SELECT account, COUNT(*), SUM(amount) FROM {src} GROUP BY account"),
            "account_days": self._rows(f"SELECT account, CAST(CAST(loaded_at AS DATE) AS VARCHAR), COUNT(*), "
                                       f"SUM(amount) FROM {src} GROUP BY account, CAST(loaded_at AS DATE)"),
        }

    def _rows(self, sql: str) -> list[tuple]:
        """The query's rows, sorted; none when the table it reads (`FROM schema.table`) has
        not been created yet, which is asked of the catalogue, not guessed from an error."""
        schema, table = re.search(r"\bFROM (\w+)\.(\w+)", sql).groups()
        found = self.sql(f"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{schema}' "
                         f"AND table_name = '{table}'")
        if not found[0][0]:
            return []
        return sorted(tuple(int(v) if isinstance(v, (int, float)) or hasattr(v, "as_integer_ratio") else v
                            for v in row) for row in self.sql(sql))

    def state(self) -> dict[str, list[tuple]]:
        """Everything a replay must leave alone: outputs, manifest, offsets, batches."""
        e = self.entropy
        return {
            **self.outputs(),
            "manifest": self._rows(f"SELECT event_id FROM derived.events_base_manifest{e}"),
            "offsets": self._rows(f"SELECT consumer, staged_table, consumed_batch, pending_batch "
                                  f"FROM derived.staged_offsets{e}"),
            "batches": self._rows(f"SELECT staged_table, batch_id, module, state, consumer, rows_staged "
                                  f"FROM derived.staged_batches{e}"),
            "staged": self._rows(f"SELECT batch_id, event_id FROM scratch.events_staged{e}"),
        }
