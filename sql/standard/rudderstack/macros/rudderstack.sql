{#- The RudderStack family's macros: one helper per pattern its modules repeat. Dialect
    differences stay in sql/macros/ (dateadd, seconds_between, column_type ...); these build
    on them and are named rs_* so they never shadow a macro of Sluice's own. -#}

{#- The warehouse type of a RudderStack column kind (runner/events/rudderstack/schema.py:
    string, int, float, boolean, datetime) or of a Sluice kind (integer, timestamp, ...); `text`
    is a string wide enough for URLs and user agents. -#}
{% macro default__rs_type(kind) -%}
{%- if kind == 'text' -%}{{ string_type() }}
{%- else -%}{{ column_type({'int': 'integer', 'float': 'double', 'datetime': 'timestamp'}.get(kind, kind)) }}
{%- endif -%}
{%- endmacro %}

{#- Column `name` of the RudderStack table aliased `alias`, or a typed NULL when the table has
    no such column (columns exist only once a value was loaded). `relation_columns` is what
    `columns('schema.table')` returned. Non-text columns are cast to their kind, so a
    timestamptz of a real RudderStack table becomes the model's naive UTC timestamp; text is
    left as it is (a cast to Redshift's VARCHAR(n) could cut it). -#}
{% macro default__rs_column(relation_columns, name, kind, alias='r') -%}
{%- if name not in relation_columns -%}
CAST(NULL AS {{ rs_type(kind) }})
{%- elif kind in ('string', 'text') -%}
{{ alias }}.{{ quote(name) }}
{%- else -%}
CAST({{ alias }}.{{ quote(name) }} AS {{ rs_type(kind) }})
{%- endif -%}
{%- endmacro %}

{#- rs_from_restart: a condition on the rows of `relation` for a DELETE or UPDATE of it, naming
    the target by its bare table name as Redshift documents it (rows matched by key are
    `same_keys`, sql/macros/ddl.sql): those of each visitor in `restarts` (`key`, `restart`)
    whose `time_column` is at or after its restart point. The visitor is matched twice on
    purpose: DuckDB plans the correlated range condition alone far worse than a key match,
    which it checks first (a DELETE from a 1M-row table, 2,000 visitors: 0.017 s against
    0.08-0.16 s); PostgreSQL plans both forms alike. -#}
{% macro default__rs_from_restart(relation, restarts, time_column, key='dbt_visitor_id', restart='restart_at') -%}
{%- set target = relation.split('.')[-1] -%}
{{ target }}.{{ key }} IN (SELECT r.{{ key }} FROM {{ restarts }} AS r)
AND EXISTS (SELECT 1 FROM {{ restarts }} AS r WHERE r.{{ key }} = {{ target }}.{{ key }} AND {{ target }}.{{ time_column }} >= r.{{ restart }})
{%- endmacro %}

{#- The ids whose visitor changed in the remap batches this run reads, as a query: `remaps` is
    `unconsumed('rs_remaps_staged', if_created=true)`, none (no id) before rs_identity created
    the table. -#}
{% macro default__rs_remapped_aliases(remaps) -%}
{%- if remaps -%}
SELECT DISTINCT alias FROM {{ remaps }}
{%- else -%}
SELECT CAST(NULL AS {{ column_type('string') }}) AS alias WHERE 1 = 0
{%- endif -%}
{%- endmacro %}

{#- Each visitor whose sessions a sessionizer re-made in the batches this run reads, from where
    (`key`, restart_at: its earliest restart point), as a query: `changes` is
    `unconsumed('<prefix>session_changes_staged', if_created=true)`, none (no visitor) before the
    sessionizer created the table. -#}
{% macro default__rs_session_restarts(changes, key='visitor_id') -%}
{%- if changes -%}
SELECT dbt_visitor_id AS {{ key }}, MIN(restart_at) AS restart_at
FROM {{ changes }}
GROUP BY dbt_visitor_id
{%- else -%}
SELECT CAST(NULL AS {{ column_type('string') }}) AS {{ key }}, CAST(NULL AS TIMESTAMP) AS restart_at WHERE 1 = 0
{%- endif -%}
{%- endmacro %}

{#- rs_restart_points: each key of `changed` (`key`, changed_from: its earliest change) with its
    safe restart point against its stored sessions. `sessions` has per session `key`,
    session_start, session_end (and `events` when `events` is set). A stored session that ended
    more than the cutoff before changed_from cannot change (no event from then on can join it):
    it is kept, with its number. The restart point is the start of the earliest other session,
    or changed_from when that is earlier (or there is none); every event from there is
    sessionized again. Out: `key`, changed_from, restart_at, kept_sessions, kept_first_start,
    kept_last_start, kept_last_end [, kept_events]. One equi-join of the keys to their sessions:
    nothing here is quadratic. -#}
{% macro default__rs_restart_points(changed, sessions, key, rule, cutoff, events=false) -%}
SELECT c.{{ key }}, c.changed_from,
       CASE WHEN MIN(CASE WHEN s.kept = 0 THEN s.session_start END) < c.changed_from
            THEN MIN(CASE WHEN s.kept = 0 THEN s.session_start END) ELSE c.changed_from END AS restart_at,
       COUNT(CASE WHEN s.kept = 1 THEN 1 END) AS kept_sessions,
       MIN(CASE WHEN s.kept = 1 THEN s.session_start END) AS kept_first_start,
       MAX(CASE WHEN s.kept = 1 THEN s.session_start END) AS kept_last_start,
       MAX(CASE WHEN s.kept = 1 THEN s.session_end END) AS kept_last_end
       {%- if events %},
       COALESCE(SUM(CASE WHEN s.kept = 1 THEN s.events END), 0) AS kept_events
       {%- endif %}
FROM {{ changed }} AS c
LEFT JOIN (
  SELECT x.{{ key }}, x.session_start, x.session_end{{ ', x.events' if events }},
         CASE WHEN {{ rs_starts_session('x.session_end', 'k.changed_from', rule, cutoff) }} THEN 1 ELSE 0 END AS kept
  FROM {{ sessions }} AS x
  JOIN {{ changed }} AS k ON k.{{ key }} = x.{{ key }}
) AS s ON s.{{ key }} = c.{{ key }}
GROUP BY c.{{ key }}, c.changed_from
{%- endmacro %}

{#- The order that picks the copy of an id to keep: received first, then loaded first, then a
    fixed order of its other values (every run and every warehouse picks the same copy). -#}
{% macro default__rs_copy_order() -%}
received_key, loaded_tstamp, event_tstamp, sent_tstamp NULLS LAST, original_tstamp NULLS LAST, anonymous_id NULLS LAST, user_id NULLS LAST, previous_id NULLS LAST
{%- endmacro %}

{#- Whether an event at `ts` after one at `prev_ts` starts a new session, from exact timestamp
    arithmetic (never a float or a boundary count). `seconds`: the gap is strictly greater than
    `cutoff` seconds (1800.000 s is not, 1800.001 s is). `bq_minutes` reproduces the seed: whole
    elapsed minutes (BigQuery truncates) greater than cutoff / 60, i.e. a gap of at least
    (cutoff // 60 + 1) minutes. -#}
{% macro default__rs_starts_session(prev_ts, ts, rule, cutoff) -%}
{%- if rule == 'seconds' -%}
({{ ts }} > {{ dateadd('second', number(cutoff), prev_ts) }})
{%- elif rule == 'bq_minutes' -%}
({{ ts }} >= {{ dateadd('second', (number(cutoff) // 60 + 1) * 60, prev_ts) }})
{%- else -%}
{{ fail("session_gap_rule must be 'seconds' or 'bq_minutes', not '" ~ rule ~ "'") }}
{%- endif -%}
{%- endmacro %}

{#- Whole elapsed minutes between two timestamps (truncated, as BigQuery's TIMESTAMP_DIFF). -#}
{% macro default__rs_whole_minutes(start, stop) -%}
CAST(FLOOR({{ seconds_between(start, stop) }} / 60) AS BIGINT)
{%- endmacro %}

{#- Exact elapsed seconds, to the microsecond, as a DECIMAL the same on every warehouse. -#}
{% macro default__rs_seconds(start, stop) -%}
CAST({{ seconds_between(start, stop) }} AS DECIMAL(18, 6))
{%- endmacro %}

{#- A session's id: `seed` is '<n> - <visitor>' (the seed's format: later ids change when an
    earlier session is merged); `hash` is the MD5 of the visitor and the session's first event. -#}
{% macro default__rs_session_id(sequence_number, visitor, first_event_id, id_format) -%}
{%- if id_format == 'seed' -%}
(CAST({{ sequence_number }} AS VARCHAR(20)) || ' - ' || {{ visitor }})
{%- elif id_format == 'hash' -%}
{{ hash_md5(visitor ~ " || '/' || " ~ first_event_id) }}
{%- else -%}
{{ fail("session_id_format must be 'seed' or 'hash', not '" ~ id_format ~ "'") }}
{%- endif -%}
{%- endmacro %}

{#- The call types a sources list names (tracks -> 'track', ...), as a SQL IN list, checked
    against the tables the family reads. -#}
{% macro default__rs_event_types(sources, allowed) -%}
{%- for s in sources -%}
{%- if s not in allowed -%}{{ fail("'" ~ s ~ "' is not one of " ~ (allowed | join(', '))) }}{%- endif -%}
'{{ rs_call_types[s] }}'{{ ', ' if not loop.last }}
{%- endfor -%}
{%- endmacro %}

{#- The columns of rs_events_staged in one list: `ddl` renders their
    definitions, `names` their names, `select` each one's value from RudderStack table
    `source` (aliased `alias`, with columns `relation_columns`); where a page's own property
    exists it comes before the page context every call carries. -#}
{% macro default__rs_event_fields(mode, source='', relation_columns=[], alias='r') -%}
{%- set fields = [
  ('event_id', 'string', {'*': ['id']}),
  ('event_type', 'string', {}),
  ('event', 'string', {'tracks': ['event']}),
  ('event_text', 'string', {'tracks': ['event_text']}),
  ('page_name', 'string', {'pages': ['name'], 'screens': ['name']}),
  ('anonymous_id', 'string', {'*': ['anonymous_id']}),
  ('user_id', 'string', {'*': ['user_id']}),
  ('event_tstamp', 'timestamp', {'*': ['timestamp']}),
  ('original_tstamp', 'timestamp', {'*': ['original_timestamp']}),
  ('sent_tstamp', 'timestamp', {'*': ['sent_at']}),
  ('received_tstamp', 'timestamp', {'*': ['received_at']}),
  ('loaded_tstamp', 'timestamp', {'*': ['uuid_ts']}),
  ('channel', 'string', {'*': ['channel']}),
  ('sdk_session_id', 'integer', {'*': ['context_session_id']}),
  ('sdk_session_start', 'boolean', {'*': ['context_session_start']}),
  ('page_url', 'text', {'pages': ['url', 'context_page_url'], '*': ['context_page_url']}),
  ('page_path', 'text', {'pages': ['path', 'context_page_path'], '*': ['context_page_path']}),
  ('page_title', 'text', {'pages': ['title', 'context_page_title'], '*': ['context_page_title']}),
  ('page_search', 'text', {'pages': ['search', 'context_page_search'], '*': ['context_page_search']}),
  ('page_referrer', 'text', {'pages': ['referrer', 'context_page_referrer'], '*': ['context_page_referrer']}),
  ('page_referring_domain', 'string', {'pages': ['referring_domain', 'context_page_referring_domain'],
                                       '*': ['context_page_referring_domain']}),
  ('campaign_source', 'string', {'*': ['context_campaign_source']}),
  ('campaign_medium', 'string', {'*': ['context_campaign_medium']}),
  ('campaign_name', 'string', {'*': ['context_campaign_name']}),
  ('campaign_term', 'string', {'*': ['context_campaign_term']}),
  ('campaign_content', 'string', {'*': ['context_campaign_content']}),
  ('user_agent', 'text', {'*': ['context_user_agent']}),
  ('ip', 'string', {'*': ['context_ip']}),
  ('screen_width', 'integer', {'*': ['context_screen_width']}),
  ('screen_height', 'integer', {'*': ['context_screen_height']}),
  ('device_type', 'string', {'*': ['context_device_type']}),
  ('os_name', 'string', {'*': ['context_os_name']}),
] -%}
{%- for name, kind, sources in fields -%}
{%- if mode == 'ddl' -%}
  {{ quote(name) }} {{ rs_type(kind) }}{{ ',' if not loop.last }}
{% elif mode == 'names' -%}
{{ quote(name) }}{{ ', ' if not loop.last }}
{%- elif name == 'event_type' -%}
  CAST('{{ rs_call_types.get(source, 'track') }}' AS {{ rs_type(kind) }}) AS event_type,
{% else -%}
{%- set picked = sources.get(source, sources.get('*', [])) -%}
  {% if picked | length > 1 %}COALESCE({% for c in picked %}{{ rs_column(relation_columns, c, kind, alias) }}{{ ', ' if not loop.last }}{% endfor %}){% elif picked %}{{ rs_column(relation_columns, picked[0], kind, alias) }}{% else %}CAST(NULL AS {{ rs_type(kind) }}){% endif %} AS {{ quote(name) }}{{ ',' if not loop.last }}
{% endif -%}
{%- endfor -%}
{%- endmacro %}

{#- The order properties of an Order Completed event table (RudderStack's e-commerce spec; the columns of
    rs_orders_staged after its ids and times): `ddl`, `names`, or `select` from a table with
    columns `relation_columns` (none: every one NULL, as for the rows of the other tables). -#}
{% macro default__rs_order_fields(mode, relation_columns=[], alias='r') -%}
{%- set fields = [('order_id', 'string', 'order_id'), ('checkout_id', 'string', 'checkout_id'),
                  ('total', 'float', 'total'), ('revenue', 'float', 'revenue'), ('subtotal', 'float', 'subtotal'),
                  ('shipping', 'float', 'shipping'), ('tax', 'float', 'tax'), ('discount', 'float', 'discount'),
                  ('coupon', 'string', 'coupon'), ('currency', 'string', 'currency'),
                  ('products_json', 'text', 'products')] -%}
{%- for name, kind, column in fields -%}
{%- if mode == 'ddl' -%}
  {{ quote(name) }} {{ rs_type(kind) }}{{ ',' if not loop.last }}
{% elif mode == 'names' -%}
{{ quote(name) }}{{ ', ' if not loop.last }}
{%- else -%}
  {{ rs_column(relation_columns, column, kind, alias) }} AS {{ quote(name) }}{{ ',' if not loop.last }}
{% endif -%}
{%- endfor -%}
{%- endmacro %}

{#- The properties of the calls of rs_base's property_sources that
    rs_event_properties_staged carries: identify traits and the properties of the e-commerce
    events other than orders (an order's are rs_order_fields', in rs_orders_staged), in one
    list like rs_event_fields (`ddl`, `names`, `select` from table `source`; no source: every
    one NULL). A table without a column, or a call type without the property, reads NULL. -#}
{% macro default__rs_property_fields(mode, source='', relation_columns=[], alias='r') -%}
{%- set fields = [
  ('email', 'string', {'identifies': ['email']}),
  ('gender', 'string', {'identifies': ['gender']}),
  ('birthday', 'datetime', {'identifies': ['birthday']}),
  ('country', 'string', {'identifies': ['address_country', 'country']}),
  ('state', 'string', {'identifies': ['address_state', 'state']}),
  ('created_at', 'datetime', {'identifies': ['created_at']}),
  ('cart_id', 'string', {'product_added': ['cart_id']}),
  ('product_id', 'string', {'product_added': ['product_id']}),
  ('sku', 'string', {'product_added': ['sku']}),
  ('product_name', 'string', {'product_added': ['name']}),
  ('category', 'string', {'product_added': ['category']}),
  ('payment_method', 'string', {'checkout_step_completed': ['payment_method']}),
] -%}
{%- for name, kind, sources in fields -%}
{%- set picked = sources.get(source, []) -%}
{%- if mode == 'ddl' -%}
  {{ quote(name) }} {{ rs_type(kind) }}{{ ',' if not loop.last }}
{% elif mode == 'names' -%}
{{ quote(name) }}{{ ', ' if not loop.last }}
{%- else -%}
  {% if picked | length > 1 %}COALESCE({% for c in picked %}{{ rs_column(relation_columns, c, kind, alias) }}{{ ', ' if not loop.last }}{% endfor %}){% elif picked %}{{ rs_column(relation_columns, picked[0], kind, alias) }}{% else %}CAST(NULL AS {{ rs_type(kind) }}){% endif %} AS {{ quote(name) }}{{ ',' if not loop.last }}
{% endif -%}
{%- endfor -%}
{%- endmacro %}

{#- The rows of one RudderStack table in the one shape rs_base reads them in (main and backfill
    alike): its name, the key that picks the copy to keep, `previous_id`, the event fields, the
    order fields (NULL unless `is_order`: a table of order_sources) and the property fields
    (NULL unless `is_property`: a table of property_sources). `relation` is the table,
    `relation_columns` its columns as loaded. A table named by several lists is read in
    this one row, whichever staged tables take it. -#}
{% macro default__rs_source_rows(source, relation, relation_columns, is_order=false, is_property=false) -%}
SELECT CAST('{{ source }}' AS VARCHAR(32)) AS source_table,
       COALESCE({{ rs_column(relation_columns, 'received_at', 'datetime') }}, CAST(r.uuid_ts AS TIMESTAMP)) AS received_key,
       {{ rs_column(relation_columns, 'previous_id', 'string') }} AS previous_id,
{{ rs_event_fields('select', source, relation_columns) }},
{{ rs_order_fields('select', relation_columns if is_order else []) }},
{{ rs_property_fields('select', source if is_property else '', relation_columns if is_property else []) }}
FROM {{ relation }} AS r
{%- endmacro %}

{#- No rows, in that shape: the first branch of the UNION ALL over the tables that exist. -#}
{% macro default__rs_no_rows() -%}
SELECT CAST(NULL AS VARCHAR(32)) AS source_table, CAST(NULL AS TIMESTAMP) AS received_key,
       CAST(NULL AS {{ rs_type('string') }}) AS previous_id,
{{ rs_event_fields('select', 'tracks', []) }},
{{ rs_order_fields('select', []) }},
{{ rs_property_fields('select', '', []) }}
WHERE 1 = 0
{%- endmacro %}

{#- Event analytics' dimensions of one event, from rs_events_staged columns.
    rs_referrer: 'direct' when the JS SDK reported no referrer ($direct), else the referring
    domain, lower-cased, without a leading www. and a trailing .com, .co (each maybe followed by
    a country part, as .co.uk) or .org; NULL when there is none. -#}
{% macro default__rs_referrer(referrer, referring_domain) -%}
CASE WHEN LOWER({{ referrer }}) = '$direct' THEN 'direct'
     ELSE NULLIF({{ regex_replace(regex_replace('LOWER(' ~ referring_domain ~ ')', "'^www[.]'", "''"),
                                  "'[.](com|co)([.][a-z0-9_]+)?$|[.]org$'", "''") }}, '') END
{%- endmacro %}

{#- utm_source / utm_medium: the campaign's value lower-cased, unless it is missing, empty or
    the text 'null' (as some SDKs send it); then the referrer stands for it. -#}
{% macro default__rs_campaign_value(value, referrer) -%}
CASE WHEN {{ value }} IS NOT NULL AND {{ value }} <> '' AND LOWER({{ value }}) <> 'null' THEN LOWER({{ value }})
     ELSE {{ referrer }} END
{%- endmacro %}

{#- The source alone when source and medium are the same, else 'source-medium'; when one is
    missing, the other. -#}
{% macro default__rs_source_medium(source, medium) -%}
CASE WHEN {{ source }} = {{ medium }} OR {{ medium }} IS NULL THEN {{ source }}
     WHEN {{ source }} IS NULL THEN {{ medium }}
     ELSE {{ source }} || '-' || {{ medium }} END
{%- endmacro %}

{#- `expr` LIKE any of `patterns` (plain strings, wrapped in %...%: "contains"). -#}
{% macro default__rs_contains_any(expr, patterns) -%}
({% for p in patterns %}{{ ' OR ' if not loop.first }}{{ expr }} LIKE '%{{ p }}%'{% endfor %})
{%- endmacro %}

{#- The channel, first match wins: the seed's rules with the paid ones (Paid Display, Paid
    Search) moved before Organic Search, where google.com with utm_medium=cpc used to land.
    Referrer-based rules (search engines, social sites, doubleclick) look at `source`, which is
    the campaign's utm_source when the link was tagged and the referrer otherwise: a tagged
    newsletter link opened in webmail is Email, not a search. Search engines are matched by
    name: the referrer has lost its .com/.org, so the seed's 'google.com', 'qwant.com' and
    'ecosia.org' could never match. -#}
{% macro default__rs_channel(source, medium, referrer) -%}
CASE WHEN {{ referrer }} = 'direct' OR {{ source }} = 'direct' OR {{ medium }} IN ('none', 'not set') THEN 'Direct'
     WHEN {{ rs_contains_any(medium, ['display', 'doubleclick']) }} OR {{ medium }} IN ('cpm', 'banner')
       OR {{ rs_contains_any(source, ['doubleclick']) }} THEN 'Paid Display'
     WHEN {{ medium }} IN ('cpc', 'ppc', 'paidsearch') THEN 'Paid Search'
     WHEN {{ rs_contains_any(source, ['google', 'bing', 'duckduckgo', 'yahoo', 'ecosia', 'baidu', 'qwant', 'naver']) }}
       OR {{ medium }} = 'organic' THEN 'Organic Search'
     WHEN {{ medium }} IN ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
       OR {{ rs_contains_any(medium, ['paidsocial', 'video']) }}
       OR {{ rs_contains_any(source, ['linkedin', 'facebook', 'reddit', 'twitter', 'youtube']) }} THEN 'Social'
     WHEN {{ medium }} = 'email' THEN 'Email'
     WHEN {{ medium }} = 'affiliate' THEN 'Affiliates'
     WHEN {{ medium }} = 'referral' THEN 'Referral'
     WHEN {{ medium }} IN ('cpv', 'cpa', 'cpp', 'content-text') THEN 'Other Advertising'
     ELSE '(other)' END
{%- endmacro %}

{#- The device class of a screen, either way round, bounds included: Desktop (>= 1024 x >= 768),
    Mobile (360-414 x 640-896), Tablet (601-1280 x 800-962), else Others (no size included). -#}
{% macro default__rs_device_type(width, height) -%}
{%- set w, h = width, height -%}
CASE WHEN ({{ h }} >= 1024 AND {{ w }} >= 768) OR ({{ w }} >= 1024 AND {{ h }} >= 768) THEN 'Desktop'
     WHEN ({{ h }} BETWEEN 360 AND 414 AND {{ w }} BETWEEN 640 AND 896)
       OR ({{ w }} BETWEEN 360 AND 414 AND {{ h }} BETWEEN 640 AND 896) THEN 'Mobile'
     WHEN ({{ h }} BETWEEN 601 AND 1280 AND {{ w }} BETWEEN 800 AND 962)
       OR ({{ w }} BETWEEN 601 AND 1280 AND {{ h }} BETWEEN 800 AND 962) THEN 'Tablet'
     ELSE 'Others' END
{%- endmacro %}

{#- Whether two values differ, NULL being a value (Redshift has no IS DISTINCT FROM). -#}
{% macro default__rs_differs(a, b) -%}
(CASE WHEN {{ a }} = {{ b }} OR ({{ a }} IS NULL AND {{ b }} IS NULL) THEN 0 ELSE 1 END = 1)
{%- endmacro %}

{#- rs_web_attribution's page view and session columns, in one list each:
    `ddl` renders their definitions, `names` their names (of the relation aliased `alias`, if
    given). `seconds` is an exact duration. `pass_through` (the module's pass_through_columns)
    adds each column as text: under its own name on a page view, as first_<c> and last_<c>
    (its value on the session's first and last page view) on a session. -#}
{% macro default__rs_web_fields(grain, mode, alias=none, pass_through=()) -%}
{%- set utm = [('utm_source', 'string'), ('utm_medium', 'string'), ('utm_campaign', 'string'),
               ('utm_term', 'string'), ('utm_content', 'string'), ('gclid', 'string')] -%}
{%- set fields = {
  'page_view': [('page_view_id', 'string'), ('anonymous_id', 'string'), ('user_id', 'string'),
                ('received_at_tstamp', 'timestamp'), ('sent_at_tstamp', 'timestamp'), ('tstamp', 'timestamp'),
                ('page_url', 'text'), ('page_url_host', 'string'), ('page_url_path', 'text'), ('page_title', 'text'),
                ('page_url_query', 'text'), ('referrer', 'text'), ('referrer_host', 'string')] + utm
               + [('ip', 'string'), ('user_agent', 'text'), ('device', 'string'), ('device_category', 'string')],
  'session': [('session_id', 'string'), ('anonymous_id', 'string'), ('session_start_tstamp', 'timestamp'),
              ('session_end_tstamp', 'timestamp'), ('page_views', 'integer'), ('first_page_url', 'text'),
              ('first_page_url_host', 'string'), ('first_page_url_path', 'text'), ('first_page_url_query', 'text')]
             + utm
             + [('referrer', 'text'), ('referrer_host', 'string'), ('device', 'string'), ('device_category', 'string'),
                ('last_page_url', 'text'), ('last_page_url_host', 'string'), ('last_page_url_path', 'text'),
                ('last_page_url_query', 'text'), ('duration_in_s', 'seconds'), ('duration_in_s_tier', 'string'),
                ('referrer_medium', 'string'), ('referrer_source', 'string'), ('channel', 'string')],
}[grain] -%}
{%- set passed = [] -%}
{%- for c in pass_through -%}
{%- set _ = passed.extend([(c, 'text')] if grain == 'page_view' else [('first_' ~ c, 'text'), ('last_' ~ c, 'text')]) -%}
{%- endfor -%}
{%- for name, kind in fields + passed -%}
{%- if mode == 'ddl' -%}
  {{ quote(name) }} {{ 'DECIMAL(18, 6)' if kind == 'seconds' else rs_type(kind) }}{{ ',' if not loop.last }}
{% else -%}
{{ alias ~ '.' if alias }}{{ quote(name) }}{{ ', ' if not loop.last }}
{%- endif -%}
{%- endfor -%}
{%- endmacro %}

{#- The host of a URL, lower-cased, without scheme, path, query, fragment and port; NULL when
    it is no URL (the JS SDK's $direct). -#}
{% macro default__rs_url_host(url) -%}
CASE WHEN {{ url }} LIKE '%://%' THEN NULLIF(SPLIT_PART(SPLIT_PART(SPLIT_PART(SPLIT_PART(
  SPLIT_PART(LOWER({{ url }}), '://', 2), '/', 1), '?', 1), '#', 1), ':', 1), '') END
{%- endmacro %}
