{%- set P = sessions_prefix %}
{%- set mapped = table(output_schema, P ~ 'mapped_tracks') %}
{%- set sessions = table(output_schema, P ~ 'session_tracks') %}
{%- set facts = table(output_schema, P ~ 'track_facts') %}
{%- set session_facts = table(output_schema, P ~ 'session_track_facts') %}
{%- set users = table(output_schema, P ~ 'user_session_facts') %}
{%- set string = column_type('string') %}
-- Per batch, each visitor whose sessions were rewritten and the time they were rewritten from.
CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, session_changes_table) }} (
  batch_id        BIGINT NOT NULL,
  dbt_visitor_id  {{ string }} NOT NULL,
  restart_at      TIMESTAMP
){{ table_options(dist_key='dbt_visitor_id', sort_keys='batch_id') }};

-- Each event with its visitor and the idle time since the visitor's previous event.
CREATE TABLE IF NOT EXISTS {{ mapped }} (
  event_id           {{ string }} NOT NULL,
  event_type         VARCHAR(16) NOT NULL,
  anonymous_id       {{ string }},
  user_id            {{ string }},
  dbt_visitor_id     {{ string }} NOT NULL,
  {{ quote('timestamp') }}        TIMESTAMP NOT NULL,
  {{ quote('event') }}            {{ string }},
  idle_time_minutes  BIGINT,
  idle_time_seconds  DECIMAL(18, 6)
){{ table_options(dist_key='dbt_visitor_id', sort_keys=['dbt_visitor_id', quote('timestamp')]) }};
{{ create_index(P ~ 'mapped_tracks' ~ entropy ~ '_visitor', mapped, 'dbt_visitor_id, ' ~ quote('timestamp')) }};
{{ create_index(P ~ 'mapped_tracks' ~ entropy ~ '_id', mapped, 'event_id') }};
{{ create_index(P ~ 'mapped_tracks' ~ entropy ~ '_anon', mapped, 'anonymous_id') }};
{{ create_index(P ~ 'mapped_tracks' ~ entropy ~ '_user', mapped, 'user_id') }};

-- One row per session.
CREATE TABLE IF NOT EXISTS {{ sessions }} (
  session_id               {{ string }} NOT NULL,
  dbt_visitor_id           {{ string }} NOT NULL,
  session_start_at         TIMESTAMP NOT NULL,
  session_sequence_number  BIGINT NOT NULL,
  next_session_start_at    TIMESTAMP
){{ table_options(dist_key='dbt_visitor_id', sort_keys=['dbt_visitor_id', 'session_start_at']) }};
{{ create_index(P ~ 'session_tracks' ~ entropy ~ '_visitor', sessions, 'dbt_visitor_id, session_start_at') }};
{{ create_index(P ~ 'session_tracks' ~ entropy ~ '_id', sessions, 'session_id') }};

-- Each event in its session.
CREATE TABLE IF NOT EXISTS {{ facts }} (
  event_id               {{ string }} NOT NULL,
  session_id             {{ string }} NOT NULL,
  dbt_visitor_id         {{ string }} NOT NULL,
  track_sequence_number  BIGINT NOT NULL,
  anonymous_id           {{ string }},
  {{ quote('timestamp') }}            TIMESTAMP NOT NULL,
  {{ quote('event') }}                {{ string }},
  event_type             VARCHAR(16) NOT NULL
){{ table_options(dist_key='dbt_visitor_id', sort_keys=['dbt_visitor_id', quote('timestamp')]) }};
{{ create_index(P ~ 'track_facts' ~ entropy ~ '_visitor', facts, 'dbt_visitor_id, ' ~ quote('timestamp')) }};

-- Each session's end and counts; num_pvs (the seed's name) counts its events, of any kind.
CREATE TABLE IF NOT EXISTS {{ session_facts }} (
  session_id  {{ string }} NOT NULL,
  ended_at    TIMESTAMP NOT NULL,
  num_pvs     BIGINT NOT NULL,
  n_events    BIGINT NOT NULL
{%- for name in session_event_counters %},
  {{ rs_sql_name(name) }}  BIGINT
{%- endfor %}
){{ table_options(dist_key='session_id', sort_keys='session_id') }};
{{ create_index(P ~ 'session_track_facts' ~ entropy ~ '_id', session_facts, 'session_id') }};
{%- set have = columns(session_facts) %}
{%- for name in session_event_counters if have and rs_sql_name(name) not in have %}

-- A counter added to session_event_counters (sessions written before count NULL for it until
-- `sluice run --full-refresh {{ module }}`).
ALTER TABLE {{ session_facts }} ADD COLUMN {{ rs_sql_name(name) }} BIGINT;
{%- endfor %}

-- One row per visitor: the first and the latest session start, and the number of sessions.
CREATE TABLE IF NOT EXISTS {{ users }} (
  dbt_visitor_id      {{ string }} NOT NULL,
  first_date          TIMESTAMP NOT NULL,
  last_date           TIMESTAMP NOT NULL,
  number_of_sessions  BIGINT NOT NULL
){{ table_options(dist_key='dbt_visitor_id', sort_keys='dbt_visitor_id') }};
{{ create_index(P ~ 'user_session_facts' ~ entropy ~ '_visitor', users, 'dbt_visitor_id') }};

-- Each session's length, in whole minutes (the seed's) and exact seconds.
{% call replace_view(table(output_schema, P ~ 'session_duration')) -%}
SELECT st.dbt_visitor_id, st.session_id,
       {{ rs_whole_minutes('st.session_start_at', 'sf.ended_at') }} AS session_duration,
       {{ rs_seconds('st.session_start_at', 'sf.ended_at') }} AS session_duration_seconds
FROM {{ sessions }} AS st
JOIN {{ session_facts }} AS sf ON sf.session_id = st.session_id
{%- endcall %};

-- The analysis: visitors by their mean session length, longest first.
{% call replace_view(table(output_schema, P ~ 'top_users_by_avg_session_duration')) -%}
SELECT dbt_visitor_id, COUNT(*) AS n_sessions,
       AVG(CAST(session_duration AS DOUBLE PRECISION)) AS avg_session_duration_minutes,
       AVG(CAST(session_duration_seconds AS DOUBLE PRECISION)) AS avg_session_duration_seconds
FROM {{ table(output_schema, P ~ 'session_duration') }}
GROUP BY dbt_visitor_id
ORDER BY avg_session_duration_seconds DESC, dbt_visitor_id
{%- endcall %};
