{%- set _ = number(inactivity_cutoff) ~ number(attribution_lookback_days) ~ rs_time_zone(reporting_timezone) -%}
{%- if not conversion_amount -%}{{ fail("conversion_amount must list at least one order property") }}{%- endif -%}
{%- for c in conversion_amount if c not in ('total', 'revenue', 'subtotal') -%}
{{ fail("conversion_amount lists order properties (total, revenue, subtotal), not '" ~ c ~ "'") }}
{%- endfor -%}
{%- set page_view_names = rs_web_fields('page_view', 'names') | replace('"', '') %}
{#- names a pass-through column cannot take: the page view's, and those the module gives it on the way -#}
{%- set taken = page_view_names.split(', ') + ['page_view_number', 'session_number', 'session_id', 'removed',
                                               'previous_tstamp', 'starts_session'] %}
{%- if pass_through_columns is string or pass_through_columns is not iterable -%}
{{ fail("pass_through_columns must be a list of column names of the pages table, not '" ~ pass_through_columns ~ "'") }}
{%- endif -%}
{%- for c in pass_through_columns -%}
{%- if c is not string or not c.isascii() or not c.isidentifier() or c != c | lower -%}
{{ fail("pass_through_columns: '" ~ c ~ "' is not a column name (lower-case letters, digits and _)") }}
{%- elif c in taken -%}
{{ fail("pass_through_columns: '" ~ c ~ "' is a column web_page_views__sessionized has already") }}
{%- elif c in pass_through_columns[:loop.index0] -%}
{{ fail("pass_through_columns names '" ~ c ~ "' twice") }}
{%- endif -%}
{%- endfor -%}
{%- set string = column_type('string') %}
{%- set mapping = table(output_schema, 'referrer_mapping') %}
{%- set page_views = table(output_schema, 'web_page_views') %}
{%- set sessionized = table(output_schema, 'web_page_views__sessionized') %}
{%- set initial = table(output_schema, 'web_sessions__initial') %}
{%- set stitching = table(output_schema, 'web_user_stitching') %}
{%- set sessions = table(output_schema, 'web_sessions') %}
{%- set conversions = table(output_schema, 'web_conversions') %}
{%- set touches = table(output_schema, 'web_attribution_touches') %}
-- The referrer mapping, from the rows the family ships, only when the table does not exist:
-- a user's own rows stay.
{{ seed_table(mapping, columns(mapping), [('host', string), ('source', string), ('medium', string)],
              rs_seed_rows('referrer_mapping'), dist_key='all', sort_keys='host') }};

-- Every page view with an anonymous id, as rs_base last staged it (identity-free).
CREATE TABLE IF NOT EXISTS {{ page_views }} (
{{ rs_web_fields('page_view', 'ddl', pass_through=pass_through_columns) }}
){{ table_options(dist_key='anonymous_id', sort_keys=['anonymous_id', 'tstamp']) }};
{{ create_index('web_page_views' ~ entropy ~ '_anon', page_views, 'anonymous_id') }};
{{ create_index('web_page_views' ~ entropy ~ '_id', page_views, 'page_view_id') }};

-- Each page view in its session: its number on the device, the session's number and id.
CREATE TABLE IF NOT EXISTS {{ sessionized }} (
{{ rs_web_fields('page_view', 'ddl', pass_through=pass_through_columns) }},
  page_view_number  BIGINT NOT NULL,
  session_number    BIGINT NOT NULL,
  session_id        {{ string }} NOT NULL
){{ table_options(dist_key='anonymous_id', sort_keys=['anonymous_id', 'tstamp']) }};
{{ create_index('web_page_views__sessionized' ~ entropy ~ '_anon', sessionized, 'anonymous_id') }};

-- One row per session of a device.
CREATE TABLE IF NOT EXISTS {{ initial }} (
{{ rs_web_fields('session', 'ddl', pass_through=pass_through_columns) }}
){{ table_options(dist_key='anonymous_id', sort_keys=['anonymous_id', 'session_start_tstamp']) }};
{{ create_index('web_sessions__initial' ~ entropy ~ '_anon', initial, 'anonymous_id') }};

-- One row per device: the user it is stitched to (NULL while it maps to no user), first and last page view.
CREATE TABLE IF NOT EXISTS {{ stitching }} (
  anonymous_id   {{ string }} NOT NULL,
  user_id        {{ string }},
  first_seen_at  TIMESTAMP NOT NULL,
  last_seen_at   TIMESTAMP NOT NULL
){{ table_options(dist_key='anonymous_id', sort_keys='anonymous_id') }};
{{ create_index('web_user_stitching' ~ entropy ~ '_anon', stitching, 'anonymous_id') }};

-- Each session with its blended user (the device's stitched user, else the device) and its
-- number among that user's sessions.
CREATE TABLE IF NOT EXISTS {{ sessions }} (
{{ rs_web_fields('session', 'ddl', pass_through=pass_through_columns) }},
  blended_user_id  {{ string }} NOT NULL,
  session_number   BIGINT NOT NULL
){{ table_options(dist_key='blended_user_id', sort_keys=['blended_user_id', 'session_start_tstamp']) }};
{{ create_index('web_sessions' ~ entropy ~ '_user', sessions, 'blended_user_id, session_start_tstamp') }};
{{ create_index('web_sessions' ~ entropy ~ '_anon', sessions, 'anonymous_id') }};

-- The seed's stitched sessions: a view, so it can never disagree with the two tables it joins.
{% call replace_view(table(output_schema, 'web_sessions__stitched')) -%}
SELECT s.*, COALESCE(u.user_id, s.anonymous_id) AS blended_user_id
FROM {{ initial }} AS s
LEFT JOIN {{ stitching }} AS u ON u.anonymous_id = s.anonymous_id
{%- endcall %};

-- One row per Order Completed event: its order, blended user, time and date (reporting_timezone),
-- amount and currency.
CREATE TABLE IF NOT EXISTS {{ conversions }} (
  conversion_id    {{ string }} NOT NULL,
  order_id         {{ string }},
  anonymous_id     {{ string }},
  user_id          {{ string }},
  blended_user_id  {{ string }} NOT NULL,
  converted_at     TIMESTAMP NOT NULL,
  conversion_date  DATE NOT NULL,
  amount           DOUBLE PRECISION,
  currency         {{ string }}
){{ table_options(dist_key='blended_user_id', sort_keys=['blended_user_id', 'converted_at']) }};
{{ create_index('web_conversions' ~ entropy ~ '_date', conversions, 'conversion_date') }};
{{ create_index('web_conversions' ~ entropy ~ '_user', conversions, 'blended_user_id, converted_at') }};
{{ create_index('web_conversions' ~ entropy ~ '_id', conversions, 'conversion_id') }};
{{ create_index('web_conversions' ~ entropy ~ '_uid', conversions, 'user_id') }};
{{ create_index('web_conversions' ~ entropy ~ '_anon', conversions, 'anonymous_id') }};

-- One row per conversion and session that touched it, with each rule's credit and revenue.
CREATE TABLE IF NOT EXISTS {{ touches }} (
  conversion_id         {{ string }} NOT NULL,
  order_id              {{ string }},
  blended_user_id       {{ string }} NOT NULL,
  converted_at          TIMESTAMP NOT NULL,
  session_id            {{ string }} NOT NULL,
  session_start_tstamp  TIMESTAMP NOT NULL,
  channel               VARCHAR(32) NOT NULL,
  touch_index           BIGINT NOT NULL,
  touches_in_path       BIGINT NOT NULL,
  first_touch_credit    DOUBLE PRECISION NOT NULL,
  last_touch_credit     DOUBLE PRECISION NOT NULL,
  last_non_direct_credit  DOUBLE PRECISION NOT NULL,
  linear_credit         DOUBLE PRECISION NOT NULL,
  first_touch_revenue   DOUBLE PRECISION,
  last_touch_revenue    DOUBLE PRECISION,
  last_non_direct_revenue DOUBLE PRECISION,
  linear_revenue        DOUBLE PRECISION
){{ table_options(dist_key='conversion_id', sort_keys=['conversion_id', 'touch_index']) }};
{{ create_index('web_attribution_touches' ~ entropy ~ '_id', touches, 'conversion_id') }};

-- Per conversion date, channel and currency: touches, conversions credited and revenue per
-- rule (sums to the millionth, so the order rows are summed in cannot change them).
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'web_attribution_by_channel') }} (
  conversion_date       DATE NOT NULL,
  channel               VARCHAR(32) NOT NULL,
  currency              {{ string }},
  touches               BIGINT NOT NULL,
  first_touch_credit    DECIMAL(38, 6) NOT NULL,
  last_touch_credit     DECIMAL(38, 6) NOT NULL,
  last_non_direct_credit  DECIMAL(38, 6) NOT NULL,
  linear_credit         DECIMAL(38, 6) NOT NULL,
  first_touch_revenue   DECIMAL(38, 6),
  last_touch_revenue    DECIMAL(38, 6),
  last_non_direct_revenue DECIMAL(38, 6),
  linear_revenue        DECIMAL(38, 6)
){{ table_options(dist_key='all', sort_keys=['conversion_date', 'channel']) }};
