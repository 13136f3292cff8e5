"""The RudderStack warehouse tables this project reads, with their columns and types.

RudderStack writes one table per call type (`tracks`, `pages`, `screens`, `identifies`,
`aliases`) and one per track event name (`order_completed`, …), with the payload flattened
into columns: `context.page.url` becomes `context_page_url`, identify
traits become unprefixed columns, track properties become columns of the event table, and an
array such as `products` is stored as its JSON text in one string column.

Types are RudderStack's own type names (`string`, `int`, `float`, `boolean`, `datetime`); the
loader maps them per warehouse. RudderStack types a column by the first value it loads, and an
ISO-8601 string that parses becomes `datetime` — hence `birthday` and `created_at`.

A table here lists every column the project's SDKs can send to it; a real table (and a load
batch) holds only the columns that have had a value. Columns come in three groups by how often
they change — per call, per page or screen, per device until an identify — which is the header
order of the generated files and what lets the writer reuse the text of the slow-changing parts.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from sluice import resources

STRING, INT, FLOAT, BOOLEAN, DATETIME = "string", "int", "float", "boolean", "datetime"
KINDS = (STRING, INT, FLOAT, BOOLEAN, DATETIME)

Column = tuple[str, str]


def _columns(spec: str) -> tuple[Column, ...]:
    """`name` (a string) or `name:kind`, separated by white space."""
    columns = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        kind = kind or STRING
        if kind not in KINDS:
            raise ValueError(f"column {name}: unknown kind {kind!r}")
        columns.append((name, kind))
    return tuple(columns)


#: first on every row: the message id and RudderStack's three clocks
CALL = _columns("id timestamp:datetime original_timestamp:datetime sent_at:datetime received_at:datetime "
                "uuid_ts:datetime")
#: `event` holds the event table's name, `event_text` the name the SDK sent
TRACK = _columns("event event_text")
#: true on the first call of an SDK session (the JS and mobile SDKs send nothing on the others)
SESSION_START = _columns("context_session_start:boolean")

#: what changes from page to page (or screen to screen): the SDK session, the page every JS SDK
#: call reports (`$direct` as referrer when there is none), utm_* parameters of the page's URL
#: (any other utm_x would become context_campaign_x)
SESSION = _columns("context_session_id:int")
WEB_PAGE = _columns("context_page_url context_page_path context_page_title context_page_search "
                    "context_page_referrer context_page_referring_domain context_page_tab_url "
                    "context_page_initial_referrer context_page_initial_referring_domain")
CAMPAIGN = _columns("context_campaign_source context_campaign_medium context_campaign_name "
                    "context_campaign_term context_campaign_content")

#: what stays for a device until an identify: who, which SDK and RudderStack source and
#: destination, the device, and the traits the SDK copies onto every call after an identify
IDENTITY = _columns("anonymous_id user_id")
SOURCE = _columns("channel context_ip context_request_ip context_library_name context_library_version "
                  "context_source_id context_source_type context_destination_id context_destination_type")
DEVICE = _columns("context_locale context_timezone context_screen_width:int context_screen_height:int "
                  "context_screen_density:int")
BROWSER = _columns("context_user_agent context_screen_inner_width:int context_screen_inner_height:int")
APP = _columns("context_app_name context_app_version context_app_build context_app_namespace context_device_id "
               "context_device_manufacturer context_device_model context_device_name context_device_type "
               "context_os_name context_os_version context_network_wifi:boolean context_network_carrier "
               "context_network_cellular:boolean")
#: identify traits: unprefixed on `identifies`, `context_traits_*` on every later call of the device
TRAITS = _columns("email first_name last_name phone gender birthday:datetime address_country address_state "
                  "created_at:datetime")
CONTEXT_TRAITS = tuple((f"context_traits_{name}", kind) for name, kind in TRAITS)

#: context of a call the browser, the app or the backend may make (tracks, identifies, aliases)
CLIENT_PAGE = (*SESSION, *WEB_PAGE, *CAMPAIGN)
CLIENT_DEVICE = (*IDENTITY, *SOURCE, *DEVICE, *BROWSER, *APP, *CONTEXT_TRAITS)
CLIENT_CONTEXT = CLIENT_PAGE + CLIENT_DEVICE
#: `page` calls come from the JS SDK only, `screen` calls from the mobile SDKs only
BROWSER_DEVICE = (*IDENTITY, *SOURCE, *DEVICE, *BROWSER, *CONTEXT_TRAITS)
APP_DEVICE = (*IDENTITY, *SOURCE, *DEVICE, *APP, *CONTEXT_TRAITS)

#: page properties the JS SDK sends with `page()` (they repeat the page context, as the SDK does)
PAGE_PROPERTIES = _columns("name category url path title search referrer referring_domain tab_url "
                           "initial_referrer initial_referring_domain")
#: a product in the e-commerce spec; also the keys of a `products` JSON element
PRODUCT = _columns("product_id sku category name brand variant price:float quantity:int coupon position:int url "
                   "image_url")
#: an order's money; `products` is the JSON text of an array of PRODUCT objects
ORDER = _columns("checkout_id order_id affiliation subtotal:float total:float revenue:float shipping:float "
                 "tax:float discount:float coupon currency products")
CHECKOUT_STEP = _columns("checkout_id step:int shipping_method payment_method")


@dataclass(frozen=True)
class Table:
    """One RudderStack warehouse table: its columns in three groups, by how often they change."""

    name: str
    #: different on every call
    call: tuple[Column, ...]
    #: the same for the calls made on one page or screen
    page: tuple[Column, ...]
    #: the same for a device until an identify
    device: tuple[Column, ...]
    #: the name the SDK sends for an event table (`Order Completed`); None for the call-type tables
    event_text: str | None = None

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.call + self.page + self.device

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def kind(self, column: str) -> str:
        """The column's type; KeyError for a column the table does not have."""
        for name, kind in self.columns:
            if name == column:
                return kind
        raise KeyError(f"{self.name} has no column {column!r}")


def _event_table(event_text: str, properties: tuple[Column, ...]) -> Table:
    return Table(table_for_event(event_text), CALL + TRACK + SESSION_START + properties, CLIENT_PAGE,
                 CLIENT_DEVICE, event_text)


_RESERVED = frozenset(("tracks", "pages", "screens", "identifies", "users", "aliases", "groups", "accounts",
                       "rudder_discards"))


def table_for_event(event_text: str) -> str:
    """The event table RudderStack writes a track event to: the name snake-cased, with a leading
    underscore when it would collide with a call-type table or start with a digit."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", event_text)
    name = "_".join(re.findall(r"[A-Za-z0-9]+", spaced)).lower()
    return f"_{name}" if name in _RESERVED or name[:1].isdigit() else name


TRACKS = Table("tracks", CALL + TRACK + SESSION_START, CLIENT_PAGE, CLIENT_DEVICE)
PAGES = Table("pages", CALL + SESSION_START + PAGE_PROPERTIES, CLIENT_PAGE, BROWSER_DEVICE)
SCREENS = Table("screens", CALL + SESSION_START + _columns("name"), SESSION, APP_DEVICE)
IDENTIFIES = Table("identifies", CALL + SESSION_START + TRAITS, CLIENT_PAGE, CLIENT_DEVICE)
#: `user_id` is the new id, `previous_id` the id it replaces
ALIASES = Table("aliases", CALL + SESSION_START + _columns("previous_id"), CLIENT_PAGE, CLIENT_DEVICE)

PRODUCT_VIEWED = _event_table("Product Viewed", (*PRODUCT, ("currency", STRING)))
PRODUCT_ADDED = _event_table("Product Added", (("cart_id", STRING), *PRODUCT))
CHECKOUT_STEP_COMPLETED = _event_table("Checkout Step Completed", CHECKOUT_STEP)
ORDER_COMPLETED = _event_table("Order Completed", ORDER)
SIGNED_UP = _event_table("Signed Up", _columns("method"))

EVENT_TABLES: tuple[Table, ...] = (PRODUCT_VIEWED, PRODUCT_ADDED, CHECKOUT_STEP_COMPLETED, ORDER_COMPLETED,
                                   SIGNED_UP)
TABLES: dict[str, Table] = {t.name: t for t in (TRACKS, PAGES, SCREENS, IDENTIFIES, ALIASES, *EVENT_TABLES)}


#: the call-type tables the RudderStack modules read, and the `event_type` their rows get
CALL_TYPES = {"tracks": "track", "pages": "page", "screens": "screen", "identifies": "identify", "aliases": "alias"}
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _sql_name(name: object) -> str:
    """A configured name that lands in SQL as a column (a session counter, say), checked."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{name!r} is not a valid column name (lower-case letters, digits and _)")
    return name


_TIME_ZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")


def _time_zone(name: object) -> str:
    """A configured time zone (`reporting_timezone`): it lands in SQL as a literal, so only the
    shape of an IANA name (Europe/Paris, America/Argentina/Buenos_Aires, UTC, Etc/GMT+2)."""
    if not isinstance(name, str) or not _TIME_ZONE.match(name):
        raise ValueError(f"{name!r} is not a time zone name (an IANA name such as UTC or Europe/Paris)")
    return name


def _seed_rows(name: str) -> list[dict[str, str]]:
    """The rows of one of the family's seed tables (`sql/standard/rudderstack/seeds/<name>.csv`),
    each a dict by the file's header; an empty value is NULL."""
    with resources.seed("rudderstack", name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def template_globals() -> dict[str, object]:
    """What the RudderStack modules' SQL templates may name besides the macros."""
    return {"rs_call_types": dict(CALL_TYPES), "rs_sql_name": _sql_name, "rs_time_zone": _time_zone,
            "rs_seed_rows": _seed_rows}
