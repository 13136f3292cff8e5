"""The web site `sluice generate` simulates, its visitors' browsers and places: the constant
parts of events (pages, referrers and campaigns, user agents with what the IAB, UA parser and
YAUAA enrichments say of them, locations)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl, urlsplit

from sluice.events.snowplow.schema import ATOMIC_COLUMNS, IAB, UA_PARSER, YAUAA

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
