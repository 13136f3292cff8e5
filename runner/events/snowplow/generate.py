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
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from urllib.parse import parse_qsl, urlsplit

from sluice.events.snowplow.generate_writers import write_batches, write_csv, write_tsv
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, IAB, UA_PARSER, WEB_PAGE, YAUAA

__all__ = ["GenerateConfig", "generate", "write_batches", "write_csv", "write_tsv"]

HEARTBEAT_MS, MIN_VISIT_MS = 10_000, 5_000
IDLE_MS = 30 * 60_000
HOUR_MS, DAY_MS = 3_600_000, 86_400_000
DAYS_LATE_ALLOWED = 3
#: mean events of a human and of a bot session, to turn `events` into a number of sessions
HUMAN_EVENTS_PER_SESSION, BOT_EVENTS_PER_SESSION = 16.7, 11.8
_EPOCH = datetime(1970, 1, 1)
_WEB_PAGE_TABLE = WEB_PAGE.table
_UUID_CLEAR = ~(0xC000 << 48 | 0xF000 << 64) & (1 << 128) - 1
_UUID_SET = 0x8000 << 48 | 4 << 76
#: 'SS.mmm' for each millisecond of a minute
_SECONDS = tuple(f"{ms // 1000:02d}.{ms % 1000:03d}" for ms in range(60_000))


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


class _Minutes(dict):
    """'YYYY-MM-DD HH:MM:' of minutes since the epoch, made when first asked for."""

    def __missing__(self, minute: int) -> str:
        text = self[minute] = (_EPOCH + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:")
        return text


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
    def __init__(self, config: GenerateConfig):
        self.c = config
        self.rng = random.Random(config.seed)
        self.start_ms = int((datetime.combine(config.start, datetime.min.time()) - _EPOCH).total_seconds()) * 1000
        self.end_ms = self.start_ms + config.days * DAY_MS
        self.period_ms = config.days * DAY_MS / config.batches
        self.produced = 0
        bots = round(config.users * config.bot_fraction)
        if config.bot_fraction and config.users > 1:
            bots = max(1, bots)
        self.bots = set(self.rng.sample(range(config.users), min(bots, config.users)))
        self.out: list[tuple[int, dict]] = []
        self.minutes = _Minutes()

    def uuid(self) -> str:
        """A random (version 4) UUID from the seeded generator: uuid.UUID(int=..., version=4), faster."""
        h = (self.rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET).to_bytes(16, "big").hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def run(self) -> Iterator[tuple[int, dict]]:
        for n in range(self.c.users):
            for _ in self.user(n):
                self.produced += len(self.out)
                yield from self.out
                self.out.clear()

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
        late = not device.agent.bot and rng.random() < self.c.late_fraction
        offline_ms = rng.randint(DAYS_LATE_ALLOWED * DAY_MS + HOUR_MS, 6 * DAY_MS) if late else 0
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
        """Stamp one event as the tracker, collector and enrich would, then batch it."""
        c, r = self.c, self.rng.random
        ev = pv.copy()
        ev.update(kind)
        if extra:
            ev.update(extra)
        ev["event_id"] = self.uuid()
        ev["event_fingerprint"] = self.rng.getrandbits(128).to_bytes(16, "big").hex()
        if r() < c.null_session_fraction:
            ev["domain_sessionid"] = None
        sent = created + (offline_ms or 5 + int(r() * 1500))
        collector = sent + 20 + int(r() * 380)
        skew = device.skew_ms
        self.stamp_event(ev, created + skew, sent + skew, collector)
        batch = self.batch_of(collector)
        if offline_ms:  # the device came back online later: never in the batch it was made in
            batch = max(batch, min(self.batch_of(created) + 1, c.batches - 1))
        if r() < c.out_of_order_fraction:
            batch = min(batch + 1, c.batches - 1)
        self.out.append((batch, ev))
        if r() < c.duplicate_fraction:
            self.duplicate(batch, ev, created + skew, sent + skew, collector)

    def duplicate(self, batch: int, ev: dict, created: int, sent: int, collector: int) -> None:
        """The same event id again: a copy the collector saw twice, or a resend a while later."""
        copy = ev.copy()
        if self.rng.random() < 0.5:
            self.out.append((batch, copy))
            return
        delay = self.rng.randint(60_000, DAY_MS)
        self.stamp_event(copy, created, sent + delay, collector + delay)
        self.out.append((min(batch + 1, self.c.batches - 1), copy))

    def stamp_event(self, ev: dict, dvce_created: int, dvce_sent: int, collector: int) -> None:
        """Device times carry the device's clock skew; derived_tstamp corrects it as enrich does.
        Times are epoch milliseconds, written as the enriched format's UTC text."""
        minutes, seconds = self.minutes, _SECONDS
        derived = collector - (dvce_sent - dvce_created)
        etl = collector + 60_000 + int(self.rng.random() * 540_000)
        ev["dvce_created_tstamp"] = minutes[dvce_created // 60_000] + seconds[dvce_created % 60_000]
        ev["dvce_sent_tstamp"] = minutes[dvce_sent // 60_000] + seconds[dvce_sent % 60_000]
        ev["collector_tstamp"] = minutes[collector // 60_000] + seconds[collector % 60_000]
        ev["derived_tstamp"] = minutes[derived // 60_000] + seconds[derived % 60_000]
        ev["etl_tstamp"] = minutes[etl // 60_000] + seconds[etl % 60_000]

    def batch_of(self, ms: int) -> int:
        return min(self.c.batches - 1, max(0, int((ms - self.start_ms) // self.period_ms)))


# The site, its visitors' browsers and places: the constant parts of events.

SITE = "www.example.com"


def _kind(event: str, name: str, version: str = "1-0-0") -> dict:
    return {"event": event, "event_name": name, "event_vendor": "com.snowplowanalytics.snowplow",
            "event_format": "jsonschema", "event_version": version}


PAGE_VIEW, PAGE_PING = _kind("page_view", "page_view"), _kind("page_ping", "page_ping")
LINK_CLICK, TRANSACTION = _kind("unstruct", "link_click", "1-0-1"), _kind("transaction", "transaction")

_NO_FEATURES = ("flash", "java", "director", "quicktime", "realplayer", "windowsmedia", "gears", "silverlight")
BASE_FIELDS = dict.fromkeys(ATOMIC_COLUMNS)
BASE_FIELDS.update({f"br_features_{name}": False for name in _NO_FEATURES})
BASE_FIELDS.update(
    app_id="website", platform="web", name_tracker="sp", v_tracker="js-3.17.0", v_collector="ssc-2.10.0-kinesis",
    v_etl="snowplow-enrich-kinesis-3.9.0", br_features_pdf=True, br_cookies=True, br_colordepth="24",
    doc_charset="UTF-8")


@dataclass(frozen=True)
class Agent:
    """A user agent: its atomic browser/OS/device fields and what the enrichments say of it."""

    bot: bool
    screen: tuple[int, int]
    fields: dict
    contexts: dict


def _agent(ua: str, browser: str, version: str, engine: str, os: str, os_version: str, maker: str,
           device: str, model: str, screen: tuple[int, int]) -> Agent:
    bot = device == "Robot"
    major, minor, patch = version.split(".")
    os_name = f"{os} {os_version}".strip()
    fields = {"useragent": ua, "br_name": f"{browser} {major}", "br_family": browser, "br_version": version,
              "br_type": "Robot" if bot else "Browser", "br_renderengine": engine.upper(), "os_name": os_name,
              "os_family": os, "os_manufacturer": maker, "dvce_type": device, "dvce_ismobile": device == "Mobile",
              "dvce_screenwidth": screen[0], "dvce_screenheight": screen[1]}
    iab = {"spiderOrRobot": bot, "category": "SPIDER_OR_ROBOT" if bot else "BROWSER",
           "reason": "FAILED_UA_INCLUDE" if bot else "PASSED_ALL", "primaryImpact": "UNKNOWN" if bot else "NONE"}
    os_parts = (os_version.split(".") + [None, None, None])[:3]
    ua_parser = {"useragentFamily": browser, "useragentMajor": major, "useragentMinor": minor,
                 "useragentPatch": patch, "useragentVersion": f"{browser} {version}", "osFamily": os,
                 "osMajor": os_parts[0] or None, "osMinor": os_parts[1], "osPatch": os_parts[2], "osPatchMinor": None,
                 "osVersion": os_name, "deviceFamily": "Spider" if bot else model}
    kind = {"Computer": "Desktop", "Mobile": "Phone"}.get(device, "Robot")
    yauaa = {"deviceClass": kind, "agentClass": "Robot" if bot else "Browser", "agentName": browser,
             "agentNameVersion": f"{browser} {version}", "agentNameVersionMajor": f"{browser} {major}",
             "agentVersion": version, "agentVersionMajor": major, "deviceBrand": model.split()[0],
             "deviceName": model, "deviceVersion": None, "layoutEngineClass": "Robot" if bot else "Browser",
             "layoutEngineName": engine, "layoutEngineNameVersion": f"{engine} {major}",
             "layoutEngineNameVersionMajor": f"{engine} {major}", "layoutEngineVersion": major,
             "layoutEngineVersionMajor": major, "operatingSystemClass": "Cloud" if bot else kind,
             "operatingSystemName": os, "operatingSystemNameVersion": os_name,
             "operatingSystemVersion": os_version or None}
    return Agent(bot, screen, fields, {IAB.table: [iab], UA_PARSER.table: [ua_parser], YAUAA.table: [yauaa]})


_WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
HUMAN_AGENTS = (
    _agent(f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/120.0.6099.130 Safari/537.36", "Chrome",
           "120.0.6099", "Blink", "Windows", "10", "Microsoft Corporation", "Computer", "Desktop", (1920, 1080)),
    _agent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
           "Safari/605.1.15", "Safari", "17.2.0", "WebKit", "Mac OS X", "10.15.7", "Apple Inc.", "Computer",
           "Apple Macintosh", (1440, 900)),
    _agent("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox", "121.0.0", "Gecko",
           "Linux", "", "Other", "Computer", "Linux Desktop", (1366, 768)),
    _agent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
           "Version/17.2 Mobile/15E148 Safari/604.1", "Mobile Safari", "17.2.0", "WebKit", "iOS", "17.2",
           "Apple Inc.", "Mobile", "Apple iPhone", (390, 844)),
    _agent(f"Mozilla/5.0 (Linux; Android 14; Pixel 8) {_WEBKIT} Chrome/120.0.6099.144 Mobile Safari/537.36",
           "Chrome Mobile", "120.0.6099", "Blink", "Android", "14", "Google Inc.", "Mobile", "Google Pixel 8",
           (412, 915)),
    _agent(f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
           "Edge", "120.0.2210", "Blink", "Windows", "10", "Microsoft Corporation", "Computer", "Desktop",
           (1536, 864)),
)
BOT_AGENTS = tuple(
    _agent(ua, name, version, "Unknown", "Unknown", "", "Other", "Robot", f"{name} Robot", (1024, 768))
    for ua, name, version in (
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot", "2.1.0"),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot", "2.0.0"),
        ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "Baiduspider",
         "2.0.0"),
        ("Mozilla/5.0 (compatible; ExampleCrawler/1.0; +https://crawl.example.net/)", "ExampleCrawler", "1.0.0"),
    ))


def _location(country: str, region: str, city: str, zipcode: str, lat: float, lon: float, region_name: str,
              tz: str, lang: str) -> dict:
    return {"geo_country": country, "geo_region": region, "geo_city": city, "geo_zipcode": zipcode,
            "geo_latitude": lat, "geo_longitude": lon, "geo_region_name": region_name, "geo_timezone": tz,
            "os_timezone": tz, "br_lang": lang}


LOCATIONS = (
    _location("GB", "ENG", "London", "EC1A", 51.5085, -0.1257, "England", "Europe/London", "en-GB"),
    _location("US", "CA", "San Francisco", "94103", 37.7749, -122.4194, "California", "America/Los_Angeles", "en-US"),
    _location("US", "NY", "New York", "10001", 40.7506, -73.9972, "New York", "America/New_York", "en-US"),
    _location("DE", "BE", "Berlin", "10115", 52.532, 13.3849, "Land Berlin", "Europe/Berlin", "de-DE"),
    _location("FR", "IDF", "Paris", "75001", 48.8625, 2.3364, "Île-de-France", "Europe/Paris", "fr-FR"),
    _location("JP", "13", "Tokyo", "100-0001", 35.6837, 139.7538, "Tokyo", "Asia/Tokyo", "ja-JP"),
    _location("BR", "SP", "São Paulo", "01000-000", -23.5475, -46.6361, "São Paulo", "America/Sao_Paulo", "pt-BR"),
    _location("AU", "NSW", "Sydney", "2000", -33.8688, 151.2093, "New South Wales", "Australia/Sydney", "en-AU"),
)

PAGES = (("/", "Home"), ("/", "Home"), ("/pricing", "Pricing"), ("/about", "About us"), ("/blog", "Blog"),
         ("/products", "All products"), ("/cart", "Your cart"),
         *((f"/products/p-{n:03d}", f"Product {n}") for n in range(1, 31)),
         *((f"/blog/post-{n}", f"Blog post {n}") for n in range(1, 11)))
CHECKOUT, CONFIRMATION = ("/checkout", "Checkout"), ("/checkout/confirmation", "Thank you for your order")
_REFERRER_COLUMNS = ("page_referrer", "refr_urlscheme", "refr_urlhost", "refr_urlport", "refr_urlpath",
                     "refr_urlquery", "refr_urlfragment", "refr_medium", "refr_source", "refr_term")
_UTM = {"utm_medium": "mkt_medium", "utm_source": "mkt_source", "utm_term": "mkt_term",
        "utm_content": "mkt_content", "utm_campaign": "mkt_campaign", "gclid": "mkt_clickid"}


@cache
def page_fields(path: str, title: str, query: str | None, fragment: str | None) -> dict:
    url = f"https://{SITE}{path}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    return {"page_url": url, "page_title": title, "page_urlscheme": "https", "page_urlhost": SITE,
            "page_urlport": 443, "page_urlpath": path, "page_urlquery": query, "page_urlfragment": fragment}


@cache
def referrer_fields(url: str | None, medium: str = "internal", source: str | None = None,
                    term: str | None = None) -> dict:
    if url is None:
        return dict.fromkeys(_REFERRER_COLUMNS)
    parts = urlsplit(url)
    return {"page_referrer": url, "refr_urlscheme": parts.scheme, "refr_urlhost": parts.hostname,
            "refr_urlport": parts.port or (443 if parts.scheme == "https" else 80), "refr_urlpath": parts.path or "/",
            "refr_urlquery": parts.query or None, "refr_urlfragment": parts.fragment or None,
            "refr_medium": medium, "refr_source": source, "refr_term": term}


def _landing(referrer: str | None, medium: str | None, source: str | None, term: str | None,
             query: str | None) -> dict:
    """A way into the site: the landing page's referrer and marketing (utm_*) fields."""
    fields = referrer_fields(referrer, medium, source, term).copy()
    fields.update(dict.fromkeys(_UTM.values()), mkt_network=None)
    for key, value in parse_qsl(query or ""):
        fields[_UTM[key]] = value
    if fields["mkt_clickid"]:
        fields["mkt_network"] = "Google"
    return {"query": query, "fields": fields}


DIRECT = _landing(None, None, None, None, None)
_CAMPAIGNS = "utm_source=newsletter&utm_medium=email&utm_campaign=winter_sale&utm_content=hero"
LANDINGS = (DIRECT,) * 8 + (
    *(_landing("https://www.google.com/", "search", "Google", None, None),) * 3,
    _landing("https://www.bing.com/search?q=event+modeling", "search", "Bing", "event modeling", None),
    _landing("https://www.facebook.com/", "social", "Facebook", None, None),
    _landing("https://t.co/xYz12", "social", "Twitter", None, None),
    _landing("https://mail.google.com/", "email", "Gmail", None, _CAMPAIGNS),
    _landing("https://www.google.com/", "search", "Google", None,
             "utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=sluice+events&gclid=EAIaIQob"),
    _landing(None, None, None, None, "utm_source=partner&utm_medium=affiliate&utm_campaign=spring"),
    _landing("https://blog.example.org/a-review", "unknown", None, None, None),
)
