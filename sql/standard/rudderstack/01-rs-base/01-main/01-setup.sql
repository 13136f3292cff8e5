{%- set known = ['tracks', 'pages', 'screens', 'identifies', 'aliases'] -%}
{%- for s in event_sources + alias_sources -%}
{%- if s not in known or (s == 'aliases' and s in event_sources) -%}
{{ fail("rs_base: '" ~ s ~ "' is not a table event_sources (tracks, pages, screens, identifies) or alias_sources (and aliases) can name") }}
{%- endif -%}
{%- endfor -%}
{%- for s in order_sources if s in known -%}
{{ fail("rs_base: order_sources names event tables (order_completed), not '" ~ s ~ "'") }}
{%- endfor -%}
{%- set read = (event_sources + alias_sources + order_sources) | unique | list -%}
-- rs_events_staged: the kept copy of each new or changed event id, one batch per run; no
-- visitor (identity changes after the fact), `excluded` when consumers must drop the event.
CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, 'rs_events_staged') }} (
  batch_id BIGINT NOT NULL,
{{ rs_event_fields('ddl') }},
  excluded BOOLEAN NOT NULL
){{ table_options(dist_key='event_id', sort_keys=['batch_id', 'event_tstamp']) }};

-- rs_identity_links_staged: the ids each new or changed row of alias_sources carries.
CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, 'rs_identity_links_staged') }} (
  batch_id      BIGINT NOT NULL,
  source_table  VARCHAR(32) NOT NULL,
  event_id      {{ column_type('string') }} NOT NULL,
  anonymous_id  {{ column_type('string') }},
  user_id       {{ column_type('string') }},
  previous_id   {{ column_type('string') }},
  event_tstamp  TIMESTAMP,
  excluded      BOOLEAN NOT NULL
){{ table_options(dist_key='event_id', sort_keys=['batch_id', 'event_tstamp']) }};

-- rs_orders_staged: the kept copy of each new or changed row of order_sources, with its order.
CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, 'rs_orders_staged') }} (
  batch_id      BIGINT NOT NULL,
  event_id      {{ column_type('string') }} NOT NULL,
  anonymous_id  {{ column_type('string') }},
  user_id       {{ column_type('string') }},
  event_tstamp  TIMESTAMP,
  loaded_tstamp TIMESTAMP,
{{ rs_order_fields('ddl') }},
  excluded      BOOLEAN NOT NULL
){{ table_options(dist_key='event_id', sort_keys=['batch_id', 'event_tstamp']) }};
{%- for s in read %}
{%- if 'uuid_ts' in columns(table(rs_schema, s)) %}

-- New rows are found by load time: an index where the warehouse needs one (PostgreSQL).
{{ create_index('rs_' ~ s ~ entropy ~ '_uuid_ts', table(rs_schema, s), 'uuid_ts') }};
{%- endif %}
{%- endfor %}
