"""The simulated shop and its visitors' equipment: the constant parts of RudderStack calls.

Everything here is data: the catalogue, the ways into the site (referrers and UTM parameters
that exercise the channel rules), browsers and phones (screen sizes that exercise the device
rules), places, and the pools personal traits are drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

SITE = "shop.example.com"
DESTINATION = {"context_destination_id": "2Rs0dst0000000000000000001", "context_destination_type": "POSTGRES"}


def _source(source_id: str, kind: str, channel: str, library: str, version: str) -> dict:
    return {"channel": channel, "context_library_name": library, "context_library_version": version,
            "context_source_id": source_id, "context_source_type": kind, **DESTINATION}


WEB_SOURCE = _source("2Rs0web0000000000000000001", "Javascript", "web", "RudderLabs JavaScript SDK", "2.48.1")
ANDROID_SOURCE = _source("2Rs0and0000000000000000001", "Android", "mobile", "com.rudderstack.android.sdk.core",
                         "1.20.1")
IOS_SOURCE = _source("2Rs0ios0000000000000000001", "iOS", "mobile", "rudder-ios-library", "1.22.0")
SERVER_SOURCE = _source("2Rs0srv0000000000000000001", "Node", "server", "analytics-node", "2.0.1")
SERVER_IPS = ("10.20.0.11", "10.20.0.12")


@dataclass(frozen=True)
class Product:
    product_id: str
    sku: str
    category: str
    name: str
    brand: str
    variant: str
    price_cents: int

    @property
    def path(self) -> str:
        return f"/p/{self.sku.lower()}"


def _catalogue() -> tuple[Product, ...]:
    lines = (("Shoes", "Trailrunner", ("Red", "Black")), ("Shoes", "City Walker", ("Brown",)),
             ("Jackets", "Rain Shell", ("Navy", "Olive")), ("Jackets", "Down Parka", ("Black",)),
             ("Bags", "Day Pack", ("Grey", "Blue")), ("Bags", "Weekender", ("Tan",)),
             ("Accessories", "Wool Beanie", ("Charcoal", "Mustard")), ("Accessories", "Leather Belt", ("Brown",)),
             ("Kitchen", "Pour-Over Set", ("White",)), ("Kitchen", "Chef's Knife", ("Steel",)))
    brands = ("Northfield", "Kestrel & Co", "Brightwater")
    products, n = [], 0
    for category, name, variants in lines:
        for variant in variants:
            n += 1
            price = (14 + (n * 37) % 180) * 100 + 99  # x.99: never integral, so the column stays float
            products.append(Product(f"{500 + n}", f"{category[:3].upper()}-{n:03d}-{variant[:3].upper()}",
                                    category, name, brands[n % len(brands)], variant, price))
    return tuple(products)


PRODUCTS = _catalogue()
CATEGORIES = tuple(dict.fromkeys(p.category for p in PRODUCTS))
SHIPPING_METHODS = ("standard", "express", "pickup")
#: free text as real checkouts send it: case, spacing and naming vary (the card rule lower-cases and trims)
PAYMENT_METHODS = ("credit card", "MasterCard", "visa", " Visa ", "cod", "wallet", "paypal", "mastercard")
COUPONS = ("WELCOME10", "SPRING15", "FREESHIP")


@dataclass(frozen=True)
class Landing:
    """A way into the site: the referrer the JS SDK reports and the landing URL's query."""

    referrer: str
    query: str | None = None

    @property
    def referring_domain(self) -> str:
        return "" if self.referrer == DIRECT else urlsplit(self.referrer).hostname or ""

    def campaign(self) -> dict:
        """context_campaign_* of the utm_* parameters of the query (utm_campaign is `name`)."""
        return {f"context_campaign_{'name' if key == 'utm_campaign' else key[4:]}": value
                for key, value in parse_qsl(self.query or "") if key.startswith("utm_")}


DIRECT = "$direct"
LANDINGS = (
    *(Landing(DIRECT),) * 6,
    *(Landing("https://www.google.com/"),) * 3,
    Landing("https://www.bing.com/"),
    Landing("https://duckduckgo.com/"),
    Landing("https://www.facebook.com/"),
    Landing("https://t.co/"),
    Landing("https://www.linkedin.com/"),
    Landing("https://www.google.com/", "utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=rain+jacket"
                                       "&gclid=EAIaIQobChMI"),
    Landing("https://mail.google.com/", "utm_source=newsletter&utm_medium=email&utm_campaign=spring_drop"
                                        "&utm_content=hero"),
    Landing(DIRECT, "utm_source=partner_blog&utm_medium=affiliate&utm_campaign=spring"),
    Landing("https://ad.doubleclick.net/", "utm_source=dv360&utm_medium=display&utm_campaign=retarget"),
    Landing("https://www.instagram.com/", "utm_source=instagram&utm_medium=paidsocial&utm_campaign=spring"),
    Landing("https://outdoors.example.org/best-rain-jackets"),
)


@dataclass(frozen=True)
class Browser:
    user_agent: str
    screen: tuple[int, int]
    density: int


_WEBKIT = "AppleWebKit/537.36 (KHTML, like Gecko)"
#: screen sizes chosen around the device rules' edges (Desktop, Mobile 360–414 × 640–896, Tablet, Others)
BROWSERS = (
    Browser(f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/120.0.0.0 Safari/537.36", (1920, 1080), 1),
    Browser(f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT} Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            (1366, 768), 1),
    Browser("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.2 Safari/605.1.15", (1440, 900), 2),
    Browser("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", (1024, 768), 1),
    Browser("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.2 Mobile/15E148 Safari/604.1", (390, 844), 3),
    Browser(f"Mozilla/5.0 (Linux; Android 14; Pixel 8) {_WEBKIT} Chrome/120.0.0.0 Mobile Safari/537.36",
            (412, 915), 3),
    Browser(f"Mozilla/5.0 (Linux; Android 13; SM-A515F) {_WEBKIT} Chrome/119.0.0.0 Mobile Safari/537.36",
            (360, 800), 3),
    Browser("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.2 Mobile/15E148 Safari/604.1", (820, 1180), 2),
    Browser(f"Mozilla/5.0 (Linux; Android 13; SM-X200) {_WEBKIT} Chrome/119.0.0.0 Safari/537.36", (800, 1280), 2),
    Browser(f"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 7 Build/MOB30X) {_WEBKIT} Chrome/118.0.0.0 Safari/537.36",
            (601, 962), 2),
)


@dataclass(frozen=True)
class Phone:
    """A phone or tablet running the shop's app."""

    os_name: str
    os_version: str
    manufacturer: str
    model: str
    device_type: str
    screen: tuple[int, int]
    density: int


PHONES = (
    Phone("iOS", "17.2", "Apple", "iPhone15,2", "iOS", (393, 852), 3),
    Phone("iOS", "16.7", "Apple", "iPhone12,1", "iOS", (414, 896), 2),
    Phone("iOS", "17.1", "Apple", "iPad13,16", "iOS", (820, 1180), 2),
    Phone("Android", "14", "Google", "Pixel 8", "Android", (412, 915), 3),
    Phone("Android", "13", "samsung", "SM-A515F", "Android", (360, 800), 3),
    Phone("Android", "12", "Xiaomi", "Redmi Note 11", "Android", (393, 873), 3),
)
APP = {"context_app_name": "Example Shop", "context_app_version": "4.2.0", "context_app_build": "420",
       "context_app_namespace": "com.example.shop"}
CARRIERS = ("Vodafone", "T-Mobile", "Orange", "Verizon")


@dataclass(frozen=True)
class Place:
    country: str
    states: tuple[str, ...]
    timezone: str
    locale: str
    ip_prefix: str


PLACES = (
    Place("US", ("CA", "NY", "TX", "WA"), "America/New_York", "en-US", "198.51.100"),
    Place("US", ("CA", "OR"), "America/Los_Angeles", "en-US", "198.51.100"),
    Place("GB", ("England", "Scotland"), "Europe/London", "en-GB", "203.0.113"),
    Place("DE", ("Berlin", "Bayern", "Hamburg"), "Europe/Berlin", "de-DE", "192.0.2"),
    Place("FR", ("Île-de-France", "Occitanie"), "Europe/Paris", "fr-FR", "192.0.2"),
    Place("IN", ("Karnataka", "Maharashtra"), "Asia/Kolkata", "en-IN", "203.0.113"),
    Place("AU", ("New South Wales", "Victoria"), "Australia/Sydney", "en-AU", "198.51.100"),
)

FIRST_NAMES = ("Ada", "Bruno", "Chloé", "Dmitri", "Esra", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kavya",
               "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rafael", "Sofia", "Tariq")
LAST_NAMES = ("Andersen", "Brooks", "Costa", "Dubois", "Evans", "Fischer", "García", "Huang", "Iyer", "Jensen",
              "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Patel")
EMAIL_DOMAINS = ("example.com", "mail.example.net", "Example.org", "inbox.example.io")
GENDERS = ("female", "male", "female", "male", "non-binary", None)
