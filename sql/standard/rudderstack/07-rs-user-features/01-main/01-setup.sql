{%- if feature_restate not in ('all', 'none') -%}
{{ fail("feature_restate must be 'all' or 'none', not '" ~ feature_restate ~ "'") }}
{%- endif -%}
{%- if features_catch_up not in ('all', 'latest') -%}
{{ fail("features_catch_up must be 'all' or 'latest', not '" ~ features_catch_up ~ "'") }}
{%- endif -%}
{%- if order_amount_column not in ('total', 'revenue') -%}
{{ fail("order_amount_column must be 'total' or 'revenue', not '" ~ order_amount_column ~ "'") }}
{%- endif -%}
{%- if product_ref_var not in ('product_id', 'sku', 'name') -%}
{{ fail("product_ref_var must be 'product_id', 'sku' or 'name', not '" ~ product_ref_var ~ "'") }}
{%- endif -%}
{%- for t in campaign_source_tables if t not in ('identifies', 'tracks') -%}
{{ fail("campaign_source_tables can name identifies and tracks, not '" ~ t ~ "'") }}
{%- endfor -%}
{%- set string = column_type('string') %}
{%- set rows = table(output_schema, 'rs_features_rows') %}
{%- set daily = table(output_schema, 'rs_user_daily') %}
{%- set long = table(output_schema, 'event_stream_feature_table') %}
{%- set wide = table(output_schema, 'event_stream_customer_features') %}
{%- set wanted = ['dbt_visitor_id', 'timestamp', 'row_id'] + rs_features(lookback_days, 'names').split(', ') %}
{%- set have = columns(wide) %}
{%- if have and have | list != wanted -%}
{{ fail("event_stream_customer_features has other feature columns than lookback_days gives: a schema change; run `sluice run --full-refresh rs_user_features`") }}
{%- endif %}
-- The channel of each track (identity-free, by event id): whether it came from an app or a site,
-- and its campaign source. A track's visitor and time are rs_sessions' (dbt_mapped_tracks).
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_features_track_flags') }} (
  event_id         {{ string }} NOT NULL,
  is_mobile        INTEGER NOT NULL,
  is_web           INTEGER NOT NULL,
  campaign_source  {{ string }}
){{ table_options(dist_key='event_id', sort_keys='event_id') }};
{{ create_index('rs_features_track_flags' ~ entropy ~ '_id', table(output_schema, 'rs_features_track_flags'), 'event_id') }};

-- Each kept identify and e-commerce row with its visitor: the detail of what cannot be summed
-- per day (latest traits, distinct carts, products, orders and payment methods, medians).
CREATE TABLE IF NOT EXISTS {{ rows }} (
  source_table     VARCHAR(32) NOT NULL,
  event_id         {{ string }} NOT NULL,
  anonymous_id     {{ string }},
  user_id          {{ string }},
  visitor_id       {{ string }} NOT NULL,
  event_tstamp     TIMESTAMP NOT NULL,
  event_date       DATE NOT NULL,
  is_mobile        INTEGER NOT NULL,
  is_web           INTEGER NOT NULL,
  campaign_source  {{ string }},
  email_domain     {{ string }},
  gender           {{ string }},
  birthday         DATE,
  country          {{ string }},
  state            {{ string }},
  created_at       DATE,
  cart_id          {{ string }},
  product_ref      {{ string }},
  payment_method   {{ string }},
  order_id         {{ string }},
  amount           DOUBLE PRECISION,
  units            DOUBLE PRECISION
){{ table_options(dist_key='visitor_id', sort_keys=['visitor_id', 'event_date']) }};
{{ create_index('rs_features_rows' ~ entropy ~ '_visitor', rows, 'visitor_id, event_date') }};
{{ create_index('rs_features_rows' ~ entropy ~ '_id', rows, 'event_id') }};
{{ create_index('rs_features_rows' ~ entropy ~ '_anon', rows, 'anonymous_id') }};
{{ create_index('rs_features_rows' ~ entropy ~ '_user', rows, 'user_id') }};

-- The lines of each order (identity-free, by event id), up to max_products_per_order.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_features_order_lines') }} (
  event_id      {{ string }} NOT NULL,
  line_no       INTEGER NOT NULL,
  product_ref   {{ string }},
  category_ref  {{ string }},
  quantity      DOUBLE PRECISION NOT NULL,
  line_amount   DOUBLE PRECISION
){{ table_options(dist_key='event_id', sort_keys='event_id') }};
{{ create_index('rs_features_order_lines' ~ entropy ~ '_id', table(output_schema, 'rs_features_order_lines'), 'event_id') }};

-- Each currency an order has been seen in: what the check of reporting_currency compares a
-- run's orders with when no reporting currency is set.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_features_currencies') }} (
  currency  {{ string }} NOT NULL
){{ table_options(dist_key='all', sort_keys='currency') }};

-- One row per visitor and date with any input row: what sums per day. Seconds
-- and amounts are exact decimals (amounts to the millionth): their sums never depend on the
-- order rows are added in, so a run over batches equals one over everything to the last digit.
CREATE TABLE IF NOT EXISTS {{ daily }} (
  visitor_id         {{ string }} NOT NULL,
  event_date         DATE NOT NULL,
  n_tracks           BIGINT NOT NULL,
  n_rows             BIGINT NOT NULL,
  is_mobile          INTEGER NOT NULL,
  is_web             INTEGER NOT NULL,
  n_sessions         BIGINT NOT NULL,
  session_length_s   DECIMAL(18, 6) NOT NULL,
  n_orders           BIGINT NOT NULL,
  n_amounts          BIGINT NOT NULL,
  order_amount       DECIMAL(18, 6),
  max_order_amount   DECIMAL(18, 6),
  order_units        DOUBLE PRECISION NOT NULL,
  n_cart_adds        BIGINT NOT NULL
){{ table_options(dist_key='visitor_id', sort_keys=['visitor_id', 'event_date']) }};
{{ create_index('rs_user_daily' ~ entropy ~ '_visitor', daily, 'visitor_id, event_date') }};

-- The snapshot dates built and kept.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_features_snapshots') }} (
  snapshot_date  DATE NOT NULL
){{ table_options(dist_key='all', sort_keys='snapshot_date') }};

CREATE TABLE IF NOT EXISTS {{ long }} (
  dbt_visitor_id         {{ string }} NOT NULL,
  feature_name           VARCHAR(64) NOT NULL,
  {{ quote('timestamp') }}            TIMESTAMP NOT NULL,
  feature_value_numeric  DOUBLE PRECISION,
  feature_value_string   {{ string }},
  feature_value_array    {{ string_type() }},
  feature_type           VARCHAR(8) NOT NULL,
  row_id                 {{ string }} NOT NULL
){{ table_options(dist_key='dbt_visitor_id', sort_keys=[quote('timestamp'), 'dbt_visitor_id']) }};
{{ create_index('event_stream_feature_table' ~ entropy ~ '_snapshot', long, quote('timestamp') ~ ', dbt_visitor_id') }};

CREATE TABLE IF NOT EXISTS {{ wide }} (
  dbt_visitor_id  {{ string }} NOT NULL,
  {{ quote('timestamp') }}     TIMESTAMP NOT NULL,
  row_id          {{ string }} NOT NULL,
{{ rs_features(lookback_days, 'ddl') }}
){{ table_options(dist_key='dbt_visitor_id', sort_keys=[quote('timestamp'), 'dbt_visitor_id']) }};
{{ create_index('event_stream_customer_features' ~ entropy ~ '_snapshot', wide, quote('timestamp') ~ ', dbt_visitor_id') }};

-- The wide rows of the newest snapshot.
{% call replace_view(table(output_schema, 'event_stream_customer_features_latest')) -%}
SELECT w.* FROM {{ wide }} AS w
WHERE w.{{ quote('timestamp') }} = (SELECT MAX(x.{{ quote('timestamp') }}) FROM {{ wide }} AS x)
{%- endcall %};
