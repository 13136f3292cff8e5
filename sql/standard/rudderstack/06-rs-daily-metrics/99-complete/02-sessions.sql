-- Each session touched, recomputed whole from this module's events (an SDK session can hold
-- events of several restart points): start, end, length in exact seconds, events, page views,
-- bounce, and its first event's user, date and dimensions (ties in time go to the smaller id,
-- as the sessionizer orders them). A session left with no event loses its row.
{%- set events = table(output_schema, 'rs_metrics_events') %}
{%- set touched = table(scratch_schema, 'rs_daily_metrics_sessions_touched') %}
{%- set sessions = table(output_schema, 'rs_session_metrics') %}
{%- set sessions_new = table(scratch_schema, 'rs_daily_metrics_sessions_new') %}
{% call replace_table(sessions_new) -%}
WITH session_events AS (
  SELECT m.event_id, m.user_key, m.event_type, m.event_tstamp, m.event_date, m.session_key
  FROM {{ events }} AS m
  WHERE m.session_key IN (SELECT t.session_key FROM {{ touched }} AS t)
),
grouped AS (
  SELECT session_key, MIN(event_tstamp) AS session_start_at, MAX(event_tstamp) AS session_end_at,
         COUNT(*) AS n_events, SUM(CASE WHEN event_type = 'page' THEN 1 ELSE 0 END) AS n_page_views
  FROM session_events
  GROUP BY session_key
)
SELECT g.session_key AS session_id, f.user_key AS visitor_id, g.session_start_at, g.session_end_at,
       f.event_date AS session_date,
       {{ rs_seconds('g.session_start_at', 'g.session_end_at') }} AS session_length_s,
       g.n_events, g.n_page_views,
{%- if bounce_definition == 'zero_length' %}
       g.session_end_at = g.session_start_at AS is_bounce,
{%- else %}
       g.n_events = 1 AS is_bounce,
{%- endif %}
       d.referrer, d.utm_source, d.utm_medium, d.source_medium, d.channel, d.device_type
FROM grouped AS g
JOIN {{ first_per('session_events', 'session_key', 'event_tstamp, event_id') }} AS f ON f.session_key = g.session_key
LEFT JOIN {{ table(output_schema, 'rs_metrics_event_dims') }} AS d ON d.event_id = f.event_id
{%- endcall %};

{{ delete_insert(sessions, ['session_id', 'visitor_id', 'session_start_at', 'session_end_at', 'session_date',
                            'session_length_s', 'n_events', 'n_page_views', 'is_bounce', 'referrer', 'utm_source',
                            'utm_medium', 'source_medium', 'channel', 'device_type'],
                 sessions_new ~ ' AS s',
                 'session_id IN (SELECT t.session_key FROM ' ~ touched ~ ' AS t)') }};
