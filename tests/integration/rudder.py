"""A Sluice project holding the RudderStack family, with hand-built RudderStack rows.

`track(...)`, `page(...)`, `identify(...)` and `alias(...)` build one call's row; `RudderModel.load()`
writes a list of them as one load (every row stamped with the load's `uuid_ts` unless it
carries one) straight into the RudderStack tables. A table is created on first use with
exactly the columns its rows carry, typed as runner/events/rudderstack/schema.py says through
the `column_type` macro, and a column appears only when a row first has it, as RudderStack
does: a case that leaves a column out really has a table without it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from sluice.config import load_project
from sluice.events.rudderstack.schema import TABLES
from sluice.families import FAMILIES
from sluice.lifecycle.engine import Lifecycle
from sluice.output import Reporter
from sluice.render.renderer import Renderer
from tests.cli import invoke

T0 = datetime(2024, 3, 1, 10, 0, 0)
#: the first load's uuid_ts; each later load is a minute on
LOAD0 = datetime(2024, 4, 1, 0, 0, 0)
#: the family's modules in its own order (its folders': what status and the report list)
MODULES = ("rs_base", "rs_identity", "rs_sessions", "rs_journeys", "rs_activity_sessions", "rs_daily_metrics",
           "rs_user_features", "rs_web_attribution")
#: every table the family builds (views included), for snapshots
OUTPUTS = ("dbt_aliases_mapping", "dbt_mapped_tracks", "dbt_session_tracks", "dbt_track_facts",
           "dbt_session_track_facts", "dbt_user_session_facts", "dbt_session_duration",
           "dbt_top_users_by_avg_session_duration", "dbt_tracks_flow", "session_journeys",
           "rs_activity_mapped_tracks", "rs_activity_session_tracks", "rs_activity_track_facts",
           "rs_activity_session_track_facts", "rs_activity_user_session_facts",
           "rs_metrics_event_dims", "rs_metrics_events", "rs_session_metrics", "rs_daily_visitor_activity",
           "rs_user_first_touch", "rs_daily_metrics", "rs_daily_session_metrics_by_dim", "rs_daily_dau_by_first_touch",
           "web_page_views", "web_page_views__sessionized", "web_sessions__initial", "web_user_stitching",
           "web_sessions__stitched", "web_sessions", "web_conversions", "web_attribution_touches",
           "web_attribution_by_channel",
           "rs_features_track_flags", "rs_features_rows", "rs_features_order_lines", "rs_user_daily",
           "rs_features_snapshots", "event_stream_feature_table", "event_stream_customer_features",
           "event_stream_customer_features_latest")

Row = tuple[str, dict[str, Any]]


def at(seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0, ms: int = 0) -> datetime:
    return T0 + timedelta(seconds=seconds, minutes=minutes, hours=hours, days=days, milliseconds=ms)


def call(table: str, event_id: str, when: datetime, anon: str | None, user: str | None, **fields: Any) -> Row:
    """One row of a RudderStack table; `received_at` defaults to the event time. A field set
    to None is a column the row has without a value; a field left out is no column at all."""
    row = {"id": event_id, "timestamp": when, "received_at": when}
    if anon is not None:
        row["anonymous_id"] = anon
    if user is not None:
        row["user_id"] = user
    row.update(fields)
    return table, row


def track(event_id: str, when: datetime, event: str = "viewed_product", anon: str | None = "a1",
          user: str | None = None, **fields: Any) -> Row:
    return call("tracks", event_id, when, anon, user, event=event, event_text=event.replace("_", " ").title(),
                **fields)


def page(event_id: str, when: datetime, anon: str | None = "a1", user: str | None = None, **fields: Any) -> Row:
    return call("pages", event_id, when, anon, user, **fields)


def identify(event_id: str, when: datetime, anon: str | None, user: str, **fields: Any) -> Row:
    return call("identifies", event_id, when, anon, user, **fields)


def alias(event_id: str, when: datetime, previous: str, user: str, anon: str | None = None, **fields: Any) -> Row:
    return call("aliases", event_id, when, anon, user, previous_id=previous, **fields)


def ecommerce(table: str, event_id: str, when: datetime, anon: str | None = "a1", user: str | None = None,
              **properties: Any) -> list[Row]:
    """One e-commerce track call as RudderStack writes it: its `tracks` row and its row of the
    event table (`product_added`, `order_completed`...) with the properties, under one id."""
    event = table.removeprefix("_")
    return [track(event_id, when, event, anon=anon, user=user),
            call(table, event_id, when, anon, user, event=event, event_text=event.replace("_", " ").title(),
                 **properties)]


def order(event_id: str, when: datetime, anon: str | None = "a1", user: str | None = None,
          **properties: Any) -> list[Row]:
    """An Order Completed call: its `tracks` row and its `order_completed` row (one id, as
    RudderStack writes them), the order's properties (order_id, total, currency...) on the latter."""
    return ecommerce("order_completed", event_id, when, anon, user, **properties)


class RudderModel:
    def __init__(self, root: Path, target: dict, variables: dict | None = None, modules: dict | None = None,
                 parallel_modules: int = 1):
        self.root = root
        config = {"default_target": "test", "targets": {"test": target}, "models": ["rudderstack"],
                  "vars": variables or {}, "modules": modules or {}, "parallel_modules": parallel_modules}
        (root / "sluice.yml").write_text(yaml.safe_dump(config))
        self.project = load_project(root)
        self.rs_schema = (variables or {}).get("rs_schema", "rudder")
        self.output_schema = (variables or {}).get("output_schema", "derived")
        self.entropy = (variables or {}).get("entropy", "")
        self.loads = 0
        self.columns: dict[str, list[str]] = {}
        with self.project.target() as target:
            self.dialect = target.dialect
            fam = FAMILIES["rudderstack"]
            self.renderer = Renderer(target.dialect, [fam.macros], fam.globals())
        self.sql(f"CREATE SCHEMA IF NOT EXISTS {self.rs_schema}")

    def sql(self, sql: str) -> list[tuple]:
        with self.project.target() as target:
            result = target.connect().execute(sql)
            return result.last.rows if result.last else []

    def _type(self, table: str, column: str) -> str:
        try:
            kind = TABLES[table].kind(column)
        except KeyError:
            kind = "string"
        return self.renderer.render("{{ rs_type(kind) }}", {"kind": kind}, "type")

    def _relation(self, table: str) -> str:
        return f"{self.rs_schema}.{table}{self.entropy}"

    def _ensure_columns(self, table: str, columns: list[str]) -> None:
        have = self.columns.get(table)
        if have is None:
            self.sql(f"CREATE TABLE {self._relation(table)} ("
                     + ", ".join(f'"{c}" {self._type(table, c)}' for c in columns) + ")")
            self.columns[table] = list(columns)
            return
        for column in columns:
            if column not in have:
                self.sql(f'ALTER TABLE {self._relation(table)} ADD COLUMN "{column}" {self._type(table, column)}')
                have.append(column)

    def load(self, rows: list[Row]) -> datetime:
        """Insert the rows as one load; returns its uuid_ts."""
        self.loads += 1
        loaded = LOAD0 + timedelta(minutes=self.loads)
        by_table: dict[str, list[dict[str, Any]]] = {}
        for table, row in rows:
            by_table.setdefault(table, []).append({"uuid_ts": loaded, **row})
        for table, table_rows in by_table.items():
            columns = list(dict.fromkeys(c for r in table_rows for c in r))
            self._ensure_columns(table, columns)
            values = ", ".join("(" + ", ".join(_literal(r.get(c)) for c in columns) + ")" for r in table_rows)
            names = ", ".join(f'"{c}"' for c in columns)
            self.sql(f"INSERT INTO {self._relation(table)} ({names}) VALUES {values}")
        return loaded

    def load_generated(self, batch: Path) -> None:
        """One batch folder of `sluice generate --source rudderstack`, through `sluice load`."""
        result = invoke(self.root, "load", "--source", "rudderstack", str(batch))
        assert result.returncode == 0, result.stderr
        assert "0 rejected" in result.stdout, result.stdout

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

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every output, all columns but the batch that wrote a row, sorted."""
        result = {}
        with self.project.target() as target:
            session = target.connect()
            for name in OUTPUTS:
                if not self.exists(name):
                    result[name] = []
                    continue
                rows = session.fetch(f"SELECT * FROM {self.output_schema}.{name}{self.entropy}")
                keep = [i for i, c in enumerate(rows.columns) if c != "batch_id"]
                result[name] = sorted((tuple(plain(row[i]) for i in keep) for row in rows.rows), key=repr)
        return result


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return f"CAST('{value:%Y-%m-%d %H:%M:%S.%f}' AS TIMESTAMP)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def plain(value: Any) -> Any:
    """Decimals and floats as ints where whole, so expected rows read naturally."""
    if type(value).__name__ == "Decimal":
        return int(value) if value == int(value) else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
