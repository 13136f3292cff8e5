"""The Snowplow atomic event and the shredded contexts the web model reads.

`ATOMIC_FIELDS` is the enriched TSV's fixed field order (131 fields) with each column's type;
the `atomic.events` table has the same columns in the same order. Contexts arrive as
self-describing JSON (the TSV's `contexts`/`derived_contexts`, or CSV columns named like
`contexts_com_snowplowanalytics_snowplow_web_page_1_0_0`) and are shredded into one table
per context, keyed to their event by `root_id` (the event id) and `root_tstamp`.
"""

from __future__ import annotations

from dataclasses import dataclass

S, TS, INT, FLOAT, BOOL, NUM = "string", "timestamp", "integer", "double", "boolean", "decimal"

_FIELDS = """
app_id S|platform S|etl_tstamp TS|collector_tstamp TS|dvce_created_tstamp TS|event S|event_id S|txn_id INT|
name_tracker S|v_tracker S|v_collector S|v_etl S|user_id S|user_ipaddress S|user_fingerprint S|domain_userid S|
domain_sessionidx INT|network_userid S|geo_country S|geo_region S|geo_city S|geo_zipcode S|geo_latitude FLOAT|
geo_longitude FLOAT|geo_region_name S|ip_isp S|ip_organization S|ip_domain S|ip_netspeed S|page_url S|
page_title S|page_referrer S|page_urlscheme S|page_urlhost S|page_urlport INT|page_urlpath S|page_urlquery S|
page_urlfragment S|refr_urlscheme S|refr_urlhost S|refr_urlport INT|refr_urlpath S|refr_urlquery S|
refr_urlfragment S|refr_medium S|refr_source S|refr_term S|mkt_medium S|mkt_source S|mkt_term S|mkt_content S|
mkt_campaign S|contexts S|se_category S|se_action S|se_label S|se_property S|se_value FLOAT|unstruct_event S|
tr_orderid S|tr_affiliation S|tr_total NUM|tr_tax NUM|tr_shipping NUM|tr_city S|tr_state S|tr_country S|
ti_orderid S|ti_sku S|ti_name S|ti_category S|ti_price NUM|ti_quantity INT|pp_xoffset_min INT|pp_xoffset_max INT|
pp_yoffset_min INT|pp_yoffset_max INT|useragent S|br_name S|br_family S|br_version S|br_type S|br_renderengine S|
br_lang S|br_features_pdf BOOL|br_features_flash BOOL|br_features_java BOOL|br_features_director BOOL|
br_features_quicktime BOOL|br_features_realplayer BOOL|br_features_windowsmedia BOOL|br_features_gears BOOL|
br_features_silverlight BOOL|br_cookies BOOL|br_colordepth S|br_viewwidth INT|br_viewheight INT|os_name S|
os_family S|os_manufacturer S|os_timezone S|dvce_type S|dvce_ismobile BOOL|dvce_screenwidth INT|
dvce_screenheight INT|doc_charset S|doc_width INT|doc_height INT|tr_currency S|tr_total_base NUM|tr_tax_base NUM|
tr_shipping_base NUM|ti_currency S|ti_price_base NUM|base_currency S|geo_timezone S|mkt_clickid S|mkt_network S|
etl_tags S|dvce_sent_tstamp TS|refr_domain_userid S|refr_dvce_tstamp TS|derived_contexts S|domain_sessionid S|
derived_tstamp TS|event_vendor S|event_name S|event_format S|event_version S|event_fingerprint S|true_tstamp TS
"""
_TYPES = {"S": S, "TS": TS, "INT": INT, "FLOAT": FLOAT, "BOOL": BOOL, "NUM": NUM}

#: (column, type) in the enriched TSV's order
ATOMIC_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (name, _TYPES[kind]) for name, kind in (f.split() for f in _FIELDS.replace("\n", "").split("|"))
)
ATOMIC_COLUMNS: tuple[str, ...] = tuple(name for name, _ in ATOMIC_FIELDS)
assert len(ATOMIC_FIELDS) == 131, len(ATOMIC_FIELDS)


@dataclass(frozen=True)
class Context:
    """A context (entity) schema the model reads, shredded into its own table."""

    vendor: str
    name: str
    major: int
    #: (property in the JSON data, column, type)
    fields: tuple[tuple[str, str, str], ...]

    @property
    def table(self) -> str:
        """The shredded table's name, as Snowplow's Redshift loader names it."""
        return f"{self.vendor.replace('.', '_')}_{self.name}_{self.major}".lower()

    def csv_column(self, version: str = "1_0_0") -> str:
        """The JSON column of BigQuery/Snowflake-shaped exports, e.g. contexts_com_..._web_page_1_0_0."""
        return f"contexts_{self.vendor.replace('.', '_')}_{self.name}_{version}".lower()

    def matches(self, schema_uri: str) -> bool:
        """True for `iglu:<vendor>/<name>/jsonschema/<major>-x-y`."""
        prefix = f"iglu:{self.vendor}/{self.name}/jsonschema/{self.major}-"
        return schema_uri.startswith(prefix)


def _camel_to_snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _context(vendor: str, name: str, props: str, kinds: dict[str, str] | None = None) -> Context:
    fields = tuple((p, _camel_to_snake(p), (kinds or {}).get(p, S)) for p in props.split())
    return Context(vendor, name, 1, fields)


WEB_PAGE = _context("com.snowplowanalytics.snowplow", "web_page", "id")
IAB = _context("com.iab.snowplow", "spiders_and_robots", "spiderOrRobot category reason primaryImpact",
               {"spiderOrRobot": BOOL})
UA_PARSER = _context(
    "com.snowplowanalytics.snowplow", "ua_parser_context",
    "useragentFamily useragentMajor useragentMinor useragentPatch useragentVersion osFamily osMajor osMinor "
    "osPatch osPatchMinor osVersion deviceFamily")
YAUAA = _context(
    "nl.basjes", "yauaa_context",
    "deviceClass agentClass agentName agentNameVersion agentNameVersionMajor agentVersion agentVersionMajor "
    "deviceBrand deviceName deviceVersion layoutEngineClass layoutEngineName layoutEngineNameVersion "
    "layoutEngineNameVersionMajor layoutEngineVersion layoutEngineVersionMajor operatingSystemClass "
    "operatingSystemName operatingSystemNameVersion operatingSystemVersion")

CONTEXTS: tuple[Context, ...] = (WEB_PAGE, IAB, UA_PARSER, YAUAA)
#: every shredded table starts with these, tying a context row to its event
CONTEXT_KEY_COLUMNS: tuple[tuple[str, str], ...] = (("root_id", S), ("root_tstamp", TS))


def template_globals() -> dict[str, object]:
    """What the Snowplow web model's SQL templates may name besides the macros."""
    return {"atomic_columns": ATOMIC_COLUMNS, "atomic_fields": ATOMIC_FIELDS, "contexts": CONTEXTS}
