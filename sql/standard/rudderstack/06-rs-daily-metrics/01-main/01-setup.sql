{%- if metrics_user_key not in ('visitor', 'anonymous_id') -%}
{{ fail("metrics_user_key must be 'visitor' or 'anonymous_id', not '" ~ metrics_user_key ~ "'") }}
{%- endif -%}
{%- if session_source not in ('derived', 'sdk') -%}
{{ fail("session_source must be 'derived' or 'sdk', not '" ~ session_source ~ "'") }}
{%- endif -%}
{%- if bounce_definition not in ('zero_length', 'single_page') -%}
{{ fail("bounce_definition must be 'zero_length' or 'single_page', not '" ~ bounce_definition ~ "'") }}
{%- endif -%}
{%- set _ = rs_event_types(activity_sources, ['tracks', 'pages', 'screens', 'identifies']) ~ rs_time_zone(reporting_timezone) -%}
{%- set string = column_type('string') %}
{%- set dims = table(output_schema, 'rs_metrics_event_dims') %}
{%- set events = table(output_schema, 'rs_metrics_events') %}
{%- set sessions = table(output_schema, 'rs_session_metrics') %}
{%- set activity = table(output_schema, 'rs_daily_visitor_activity') %}
{%- set touch = table(output_schema, 'rs_user_first_touch') %}
{%- set day = quote('date') %}
-- Each event's dimensions, by event id (identity-free: they depend on the event alone).
CREATE TABLE IF NOT EXISTS {{ dims }} (
  event_id        {{ string }} NOT NULL,
  sdk_session_id  BIGINT,
  referrer        {{ string }},
  utm_source      {{ string }},
  utm_medium      {{ string }},
  source_medium   {{ string }},
  channel         VARCHAR(32) NOT NULL,
  device_type     VARCHAR(16) NOT NULL
){{ table_options(dist_key='event_id', sort_keys='event_id') }};
{{ create_index('rs_metrics_event_dims' ~ entropy ~ '_id', dims, 'event_id') }};

-- This module's copy of each sessionized event as rs_activity_sessions last published it:
-- what a later change is compared against. user_key is visitor_id or anonymous_id
-- (metrics_user_key); session_key the session it counts in (session_source).
CREATE TABLE IF NOT EXISTS {{ events }} (
  event_id      {{ string }} NOT NULL,
  visitor_id    {{ string }} NOT NULL,
  anonymous_id  {{ string }},
  user_key      {{ string }},
  event_type    VARCHAR(16) NOT NULL,
  event_tstamp  TIMESTAMP NOT NULL,
  event_date    DATE NOT NULL,
  session_key   {{ string }} NOT NULL
){{ table_options(dist_key='visitor_id', sort_keys=['visitor_id', 'event_tstamp']) }};
{{ create_index('rs_metrics_events' ~ entropy ~ '_visitor', events, 'visitor_id, event_tstamp') }};
{{ create_index('rs_metrics_events' ~ entropy ~ '_id', events, 'event_id') }};
{{ create_index('rs_metrics_events' ~ entropy ~ '_session', events, 'session_key') }};
{{ create_index('rs_metrics_events' ~ entropy ~ '_user', events, 'user_key, event_date') }};

-- One row per session: its length, whether it bounced, and its first event's dimensions.
CREATE TABLE IF NOT EXISTS {{ sessions }} (
  session_id        {{ string }} NOT NULL,
  visitor_id        {{ string }},
  session_start_at  TIMESTAMP NOT NULL,
  session_end_at    TIMESTAMP NOT NULL,
  session_date      DATE NOT NULL,
  session_length_s  DECIMAL(18, 6) NOT NULL,
  n_events          BIGINT NOT NULL,
  n_page_views      BIGINT NOT NULL,
  is_bounce         BOOLEAN NOT NULL,
  referrer          {{ string }},
  utm_source        {{ string }},
  utm_medium        {{ string }},
  source_medium     {{ string }},
  channel           VARCHAR(32),
  device_type       VARCHAR(16)
){{ table_options(dist_key='session_id', sort_keys=['session_date', 'session_id']) }};
{{ create_index('rs_session_metrics' ~ entropy ~ '_id', sessions, 'session_id') }};

-- One row per user and date with an activity event: what DAU counts.
CREATE TABLE IF NOT EXISTS {{ activity }} (
  {{ day }}       DATE NOT NULL,
  visitor_id  {{ string }} NOT NULL,
  n_events    BIGINT NOT NULL,
  has_track   BOOLEAN NOT NULL,
  has_page    BOOLEAN NOT NULL
){{ table_options(dist_key='visitor_id', sort_keys=[day, 'visitor_id']) }};
{{ create_index('rs_daily_visitor_activity' ~ entropy ~ '_visitor', activity, 'visitor_id, ' ~ day) }};

-- One row per user: the first activity event and its dimensions.
CREATE TABLE IF NOT EXISTS {{ touch }} (
  visitor_id       {{ string }} NOT NULL,
  first_seen_at    TIMESTAMP NOT NULL,
  first_event_id   {{ string }} NOT NULL,
  referrer         {{ string }},
  utm_source       {{ string }},
  utm_medium       {{ string }},
  source_medium    {{ string }},
  channel          VARCHAR(32)
){{ table_options(dist_key='visitor_id', sort_keys='visitor_id') }};
{{ create_index('rs_user_first_touch' ~ entropy ~ '_visitor', touch, 'visitor_id') }};

-- One row per date with an activity event or a session start.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_daily_metrics') }} (
  {{ day }}                    DATE NOT NULL,
  dau                     BIGINT NOT NULL,
  total_sessions          BIGINT NOT NULL,
  bounced_sessions        BIGINT NOT NULL,
  bounce_rate             DOUBLE PRECISION,
  total_session_length_s  DECIMAL(18, 6) NOT NULL,
  avg_session_length_s    DOUBLE PRECISION
){{ table_options(dist_key='all', sort_keys=day) }};

-- Session figures per date and first-event dimensions.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_daily_session_metrics_by_dim') }} (
  {{ day }}                    DATE NOT NULL,
  channel                 VARCHAR(32),
  source_medium           {{ string }},
  referrer                {{ string }},
  device_type             VARCHAR(16),
  total_sessions          BIGINT NOT NULL,
  bounced_sessions        BIGINT NOT NULL,
  bounce_rate             DOUBLE PRECISION,
  total_session_length_s  DECIMAL(18, 6) NOT NULL,
  avg_session_length_s    DOUBLE PRECISION
){{ table_options(dist_key='all', sort_keys=day) }};

-- Active users per date, by their first touch.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_daily_dau_by_first_touch') }} (
  {{ day }}          DATE NOT NULL,
  channel        VARCHAR(32),
  source_medium  {{ string }},
  referrer       {{ string }},
  dau            BIGINT NOT NULL
){{ table_options(dist_key='all', sort_keys=day) }};
