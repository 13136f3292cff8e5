"""A Sluice project holding the standard web model, with hand-built Snowplow events.

`ev(...)` builds one atomic event with sensible defaults; `WebModel.insert()` writes events
(and their web-page contexts) straight into the input tables, so model tests do not depend
on the loader; `WebModel.run()` runs the modules until caught up.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from sluice import resources
from sluice.config import load_project
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, ATOMIC_FIELDS, CONTEXTS
from sluice.lifecycle.engine import Lifecycle
from sluice.output import Reporter
from sluice.render.renderer import Renderer

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 3, 1, 10, 0, 0)
_KINDS = dict(ATOMIC_FIELDS)


def at(seconds: float = 0, minutes: float = 0, hours: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(seconds=seconds, minutes=minutes, hours=hours, days=days)


def ev(event_id: str, kind: str, when: datetime, session: str = "s1", user: str = "u1", pv: str | None = "pv1",
       **fields: Any) -> dict[str, Any]:
    """One event: `kind` is page_view, page_ping or another event name; `pv` its page view id."""
    row = {
        "app_id": "site", "platform": "web", "event_id": event_id,
        "event": "unstruct" if kind not in ("page_view", "page_ping", "transaction") else kind,
        "event_name": kind, "event_vendor": "com.snowplowanalytics.snowplow", "event_format": "jsonschema",
        "event_version": "1-0-0", "collector_tstamp": when, "dvce_created_tstamp": when,
        "dvce_sent_tstamp": when, "derived_tstamp": when, "etl_tstamp": when,
        "domain_userid": user, "domain_sessionid": session, "domain_sessionidx": 1, "network_userid": f"n-{user}",
        "page_url": "https://shop.example/home", "page_title": "Home", "page_urlscheme": "https",
        "page_urlhost": "shop.example", "page_urlport": 443, "page_urlpath": "/home",
        "useragent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "br_viewwidth": 1000, "br_viewheight": 800,
        "doc_width": 1000, "doc_height": 4000, "_page_view_id": pv,
    }
    row.update(fields)
    return row


class WebModel:
    def __init__(self, root: Path, target: dict, variables: dict | None = None, modules: dict | None = None,
                 custom: bool = False):
        self.root = root
        # The standard modules come from the package; the repository's example custom module
        # is copied in when a test wants it.
        for folder in ("playbooks/custom", "sql/custom") if custom else ():
            if not (root / folder).exists():
                shutil.copytree(REPO / folder, root / folder)
        config = {"default_target": "test", "targets": {"test": target}, "vars": variables or {},
                  "modules": modules or {}}
        (root / "sluice.yml").write_text(yaml.safe_dump(config))
        self.project = load_project(root)
        self.input_schema = (variables or {}).get("input_schema", "atomic")
        self.entropy = (variables or {}).get("entropy", "")
        self._create_input()

    def sql(self, sql: str) -> list[tuple]:
        with self.project.target() as target:
            result = target.connect().execute(sql)
            return result.last.rows if result.last else []

    def _create_input(self) -> None:
        with self.project.target() as target:
            ddl = resources.input_ddl("01-atomic-events.sql").read_text()
            sql = Renderer(target.dialect).render(ddl, {"input_schema": self.input_schema, "entropy": self.entropy,
                                                        "contexts": CONTEXTS, "atomic_fields": ATOMIC_FIELDS,
                                                        "dialect": target.dialect}, "input")
            target.connect().execute(sql)

    def insert(self, events: list[dict[str, Any]], loaded_at: datetime | None = None) -> None:
        """One load: the events and their web-page contexts. `loaded_at` stamps load_tstamp
        by hand (a load that committed after a later one); else the warehouse stamps it."""
        if not events:
            return
        rows, contexts = [], []
        columns = [*ATOMIC_COLUMNS, *(["load_tstamp"] if loaded_at else [])]
        for event in events:
            values = [_value(event.get(c), _KINDS[c]) for c in ATOMIC_COLUMNS]
            values += [_value(loaded_at, "timestamp")] if loaded_at else []
            rows.append("(" + ", ".join(values) + ")")
            if event.get("_page_view_id"):
                contexts.append(f"({literal(event['event_id'])}, {_value(event['collector_tstamp'], 'timestamp')}, "
                                f"{literal(event['_page_view_id'])})")
        schema, e = self.input_schema, self.entropy
        sql = f"INSERT INTO {schema}.events{e} ({', '.join(columns)}) VALUES {', '.join(rows)}"
        if contexts:
            sql += (f"; INSERT INTO {schema}.com_snowplowanalytics_snowplow_web_page_1{e} (root_id, root_tstamp, id) "
                    f"VALUES {', '.join(contexts)}")
        self.sql(sql)

    def run(self, *modules: str) -> Lifecycle:
        with self.project.target() as target:
            lifecycle = Lifecycle(self.project, target, {}, Reporter()).open()
            lifecycle.catch_up(modules)
            return lifecycle

    def run_once(self, *modules: str) -> None:
        """One round of the modules' main and complete, caught up or not."""
        with self.project.target() as target:
            lifecycle = Lifecycle(self.project, target, {}, Reporter()).open()
            lifecycle.run(lifecycle.plan(modules))

    def backfill(self, module: str, since: date) -> None:
        with self.project.target() as target:
            Lifecycle(self.project, target, {}, Reporter()).open().backfill(module, since)

    def table(self, name: str, columns: str, order: str | None = None) -> list[tuple]:
        schema = self.project.vars.get("output_schema", "derived")
        rows = self.sql(f"SELECT {columns} FROM {schema}.{name}{self.entropy} ORDER BY {order or columns}")
        return [tuple(_plain(v) for v in row) for row in rows]


    def snapshot(self) -> dict[str, list[tuple]]:
        """Every output table, all columns but the batch that wrote a row, sorted."""
        schema = self.project.vars.get("output_schema", "derived")
        result = {}
        for name in ("page_views", "sessions", "users"):
            with self.project.target() as target:
                session = target.connect()
                exists = session.fetch(f"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                                       f"'{schema}' AND table_name = '{name}{self.entropy}'").rows[0][0]
                if not exists:  # no module run has produced a row for it yet
                    result[name] = []
                    continue
                rows = session.fetch(f"SELECT * FROM {schema}.{name}{self.entropy}")
            keep = [i for i, c in enumerate(rows.columns) if c != "batch_id"]
            result[name] = sorted((tuple(_plain(row[i]) for i in keep) for row in rows.rows), key=repr)
        return result


def _value(value: Any, kind: str) -> str:
    if value is None:
        return "NULL"
    if kind == "timestamp":
        return f"CAST('{value:%Y-%m-%d %H:%M:%S.%f}' AS TIMESTAMP)"
    if kind in ("integer", "double", "decimal"):
        return str(value)
    if kind == "boolean":
        return "TRUE" if value else "FALSE"
    return literal(value)


def literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _plain(value: Any) -> Any:
    """Decimals and floats as ints where whole, so expected rows read naturally."""
    if hasattr(value, "is_integer") and value.is_integer():
        return int(value)
    if type(value).__name__ == "Decimal":
        return int(value) if value == int(value) else float(value)
    return value
