"""Synthetic Snowplow web events for `sluice generate`, deterministic for a seed.

`generate(config)` simulates users on a web site and yields `(batch index, event)`: the event is
a dict of every atomic column (`runner.events.schema.ATOMIC_COLUMNS`) to a Python value (None,
str, int, float, bool, Decimal; timestamps as the enriched format's UTC text
'YYYY-MM-DD HH:MM:SS.mmm', which sorts like time) plus `_contexts`, context table -> list of
context data dicts. Events of one page view share their `_contexts` dict (treat it as read-only).
The writers in `runner.events.generate_writers` turn events into enriched TSV or CSV.

The data has what real data has: users with several devices linked by a login `user_id`,
sessions split by 30 minutes of inactivity, page views with page pings (5 s minimum visit,
10 s heartbeat) and growing scroll offsets, link clicks, transactions, bots, events sent more
than `DAYS_LATE_ALLOWED` days late, duplicated event ids, null session ids, and batches that
arrive out of order. Nothing is read from the clock: the same seed gives the same events.

This module simulates what visitors do (users, devices, sessions, page views, pings, clicks,
transactions); `generate_delivery.py` stamps and batches the events with collection's
hazards; `generate_site.py` holds the site's constant parts.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sluice.events.snowplow.generate_delivery import DAY_MS, DAYS_LATE_ALLOWED, EPOCH, HOUR_MS, Delivery
from sluice.events.snowplow.generate_site import (
    BASE_FIELDS,
    BOT_AGENTS,
    CHECKOUT,
    CONFIRMATION,
    DIRECT,
    HUMAN_AGENTS,
    LANDINGS,
    LINK_CLICK,
    LOCATIONS,
    PAGE_PING,
    PAGE_VIEW,
    PAGES,
    SITE,
    TRANSACTION,
    Agent,
    page_fields,
    referrer_fields,
)
from sluice.events.snowplow.generate_writers import write_batches, write_csv, write_tsv
from sluice.events.snowplow.schema import WEB_PAGE

__all__ = ["DAYS_LATE_ALLOWED", "GenerateConfig", "generate", "write_batches", "write_csv", "write_tsv"]

HEARTBEAT_MS, MIN_VISIT_MS = 10_000, 5_000
IDLE_MS = 30 * 60_000
#: mean events of a human and of a bot session, to turn `events` into a number of sessions
HUMAN_EVENTS_PER_SESSION, BOT_EVENTS_PER_SESSION = 16.7, 11.8
_WEB_PAGE_TABLE = WEB_PAGE.table
_UUID_CLEAR = ~(0xC000 << 48 | 0xF000 << 64) & (1 << 128) - 1
_UUID_SET = 0x8000 << 48 | 4 << 76


@dataclass(frozen=True)
class GenerateConfig:
    """What to generate. Fractions are of events (duplicates, null session ids, out-of-order
    deliveries), of sessions (late: the device was offline) and of users (bots)."""

    seed: int = 1
    users: int = 1000
    days: int = 7
    events: int = 100_000
    batches: int = 4
    start: date = date(2024, 1, 1)
    late_fraction: float = 0.02
    duplicate_fraction: float = 0.01
    bot_fraction: float = 0.05
    null_session_fraction: float = 0.005
    out_of_order_fraction: float = 0.01
    enrichments: bool = True

    def __post_init__(self) -> None:
        for name in ("users", "days", "events", "batches"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        for name in ("late_fraction", "duplicate_fraction", "bot_fraction", "null_session_fraction",
                     "out_of_order_fraction"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {getattr(self, name)}")


def generate(config: GenerateConfig) -> Iterator[tuple[int, dict]]:
    """Yield `(batch index from 0, event)` for every event, user after user."""
    return _Simulation(config).run()


@dataclass
class _Device:
    """One browser: a `domain_userid` with its own session index and clock skew."""

    fields: dict
    derived: dict
    agent: Agent
    skew_ms: int
    next_idx: int = 1
    free_at: int = 0


class _Simulation:
    """What visitors do, user after user; `delivery` stamps and batches each event."""

    def __init__(self, config: GenerateConfig):
        self.c = config
        self.rng = random.Random(config.seed)
        self.start_ms = int((datetime.combine(config.start, datetime.min.time()) - EPOCH).total_seconds()) * 1000
        self.end_ms = self.start_ms + config.days * DAY_MS
        self.produced = 0
        bots = round(config.users * config.bot_fraction)
        if config.bot_fraction and config.users > 1:
            bots = max(1, bots)
        self.bots = set(self.rng.sample(range(config.users), min(bots, config.users)))
        self.delivery = Delivery(config, self.rng, self.start_ms)

    def uuid(self) -> str:
        """A random (version 4) UUID from the seeded generator: uuid.UUID(int=..., version=4), faster."""
        h = (self.rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET).to_bytes(16, "big").hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def run(self) -> Iterator[tuple[int, dict]]:
        out = self.delivery.out
        for n in range(self.c.users):
            for _ in self.user(n):
                self.produced += len(out)
                yield from out
                out.clear()

    def user(self, n: int) -> Iterator[None]:
        """Plan one user's sessions over the period; yields after each so the caller drains `out`."""
        rng, bot = self.rng, n in self.bots
        events_per_user = max(0, self.c.events - self.produced) / (self.c.users - n)  # steers to the total
        mean = events_per_user / (BOT_EVENTS_PER_SESSION if bot else HUMAN_EVENTS_PER_SESSION)
        count = 1 + round(rng.expovariate(1.0) * max(0.0, mean - 1))  # every user visits once
        starts = sorted(rng.randrange(self.start_ms, self.end_ms - HOUR_MS) for _ in range(count))
        location = rng.choice(LOCATIONS)
        user_id = f"user-{n + 1:05d}" if not bot and rng.random() < 0.5 else None
        devices = [] if bot else [self.device(location, bot) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
        for start in starts:
            # crawlers keep no cookies: every visit is a new device
            device = self.device(location, bot) if bot else devices[0] if rng.random() < 0.5 else rng.choice(devices)
            logged_in = user_id if user_id and rng.random() < 0.8 else None
            self.session(device, max(start, device.free_at), logged_in)
            yield None

    def device(self, location: dict, bot: bool) -> _Device:
        rng = self.rng
        agent = rng.choice(BOT_AGENTS if bot else HUMAN_AGENTS)
        fields = BASE_FIELDS.copy()
        fields.update(agent.fields)
        fields.update(location)
        fields.update(domain_userid=self.uuid(), network_userid=self.uuid(),
                      user_ipaddress=f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randrange(1, 255)}",
                      br_viewwidth=agent.screen[0] - rng.randrange(0, 40),
                      br_viewheight=agent.screen[1] - rng.randrange(80, 200))
        skew = 0 if bot or rng.random() < 0.9 else rng.randint(-HOUR_MS, HOUR_MS)
        return _Device(fields, agent.contexts if self.c.enrichments else {}, agent, skew)

    def session(self, device: _Device, start: int, user_id: str | None) -> None:
        rng = self.rng
        fields = device.fields.copy()
        fields.update(domain_sessionid=self.uuid(), domain_sessionidx=device.next_idx, user_id=user_id)
        device.next_idx += 1
        offline_ms = self.delivery.offline_ms(device.agent.bot)
        pages = self.plan_pages(device.agent.bot)
        landing = DIRECT if device.agent.bot else rng.choice(LANDINGS)
        t, previous_url = start, None
        for i, (page, action) in enumerate(pages):
            nxt = pages[i + 1][0] if i + 1 < len(pages) else None
            pv = fields.copy()
            query = landing["query"] if i == 0 else None
            pv.update(page_fields(page[0], page[1], query, "reviews" if rng.random() < 0.05 else None))
            pv.update(landing["fields"] if i == 0 else referrer_fields(previous_url))
            pv.update(doc_width=pv["br_viewwidth"], doc_height=rng.randrange(pv["br_viewheight"], 9000))
            pv["_contexts"] = {_WEB_PAGE_TABLE: [{"id": self.uuid()}], **device.derived}
            t = self.page_view(device, pv, t, action, nxt, offline_ms)
            previous_url = pv["page_url"]
        device.free_at = t + IDLE_MS + rng.randint(1, 6 * HOUR_MS)

    def plan_pages(self, bot: bool) -> list[tuple[tuple[str, str], str | None]]:
        """The pages of a session and what happens on each: None, 'click' or 'transaction'."""
        rng = self.rng
        count = 1 + min(int(rng.expovariate(0.08 if bot else 0.45)), 60 if bot else 25)
        pages = [(rng.choice(PAGES), None) for _ in range(count)]
        if not bot and rng.random() < 0.06:
            pages += [(CHECKOUT, None), (CONFIRMATION, "transaction")]
        if not bot:
            pages = [(p, "click" if a is None and rng.random() < 0.3 else a) for p, a in pages]
        return pages

    def page_view(self, device: _Device, pv: dict, t: int, action: str | None, nxt: tuple | None,
                  offline_ms: int) -> int:
        """Emit a page view, its pings, click or transaction; return when the next page starts."""
        rng = self.rng
        self.emit(device, pv, PAGE_VIEW, t, None, offline_ms)
        if device.agent.bot:
            return t + rng.randint(300, 4000)
        dwell = min(int(rng.expovariate(1 / 45_000)), 20 * 60_000)
        self.pings(device, pv, t, dwell, offline_ms)
        if action == "click":
            target = f"https://{SITE}{nxt[0]}" if nxt else "https://github.com/snowplow/snowplow"
            event = {"schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
                     "data": {"schema": "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
                              "data": {"targetUrl": target, "elementClasses": ["nav"]}}}
            self.emit(device, pv, LINK_CLICK, t + dwell, {"unstruct_event": json.dumps(event, separators=(",", ":"))},
                      offline_ms)
        elif action == "transaction":
            self.emit(device, pv, TRANSACTION, t + rng.randint(500, 3000), self.transaction(pv), offline_ms)
        gap = rng.randint(2 * 60_000, 25 * 60_000) if rng.random() < 0.05 else 0  # idle, same session
        return t + dwell + rng.randint(300, 3000) + gap

    def pings(self, device: _Device, pv: dict, t: int, dwell: int, offline_ms: int) -> None:
        r = self.rng.random
        y, y_end = 0, max(0, pv["doc_height"] - pv["br_viewheight"])
        ping = t + MIN_VISIT_MS
        while ping <= t + dwell:
            y_min, y = y, min(y_end, y + (50 + int(r() * 850) if r() < 0.4 else 0))
            offsets = {"pp_xoffset_min": 0, "pp_xoffset_max": 0, "pp_yoffset_min": y_min, "pp_yoffset_max": y}
            self.emit(device, pv, PAGE_PING, ping + int(r() * 150), offsets, offline_ms)
            ping += HEARTBEAT_MS

    def transaction(self, pv: dict) -> dict:
        rng = self.rng
        total = Decimal(rng.randrange(999, 49_999)) / 100
        tax = (total * Decimal("0.2")).quantize(Decimal("0.01"))
        return {"tr_orderid": f"order-{rng.getrandbits(40):010x}", "tr_affiliation": "web", "tr_total": total,
                "tr_tax": tax, "tr_shipping": Decimal("4.99"), "tr_city": pv["geo_city"],
                "tr_state": pv["geo_region_name"], "tr_country": pv["geo_country"], "tr_currency": "USD",
                "tr_total_base": total, "tr_tax_base": tax, "tr_shipping_base": Decimal("4.99"),
                "base_currency": "USD"}

    def emit(self, device: _Device, pv: dict, kind: dict, created: int, extra: dict | None,
             offline_ms: int) -> None:
        """One event of a page view, made at `created`, handed to the delivery."""
        ev = pv.copy()
        ev.update(kind)
        if extra:
            ev.update(extra)
        ev["event_id"] = self.uuid()
        ev["event_fingerprint"] = self.rng.getrandbits(128).to_bytes(16, "big").hex()
        self.delivery.send(ev, created, device.skew_ms, offline_ms)
