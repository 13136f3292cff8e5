-- Every event of each affected visitor from its restart point: the stored ones not looked at
-- again, and the looked-at ones that belong to it now. Idle time is the gap to the visitor's
-- previous event (the last kept session's end for the first one); a gap the rule calls long
-- starts a session, numbered after the kept ones; ties in time are ordered by event id.
{%- set S = sessions_scratch_prefix %}
{%- set touched = table(scratch_schema, S ~ 'touched') %}
{%- set affected = table(scratch_schema, S ~ 'affected') %}
{%- set mapped = table(output_schema, sessions_prefix ~ 'mapped_tracks') %}
{%- set ts = quote('timestamp') %}
{%- set order = 'event_tstamp, event_id' %}
{% call replace_table(table(scratch_schema, S ~ 'events_this_run')) -%}
WITH events AS (
  SELECT m.event_id, m.event_type, m.{{ quote('event') }}, m.anonymous_id, m.user_id, m.dbt_visitor_id,
         m.{{ ts }} AS event_tstamp
  FROM {{ mapped }} AS m
  JOIN {{ affected }} AS a ON a.dbt_visitor_id = m.dbt_visitor_id AND m.{{ ts }} >= a.restart_at
  WHERE NOT EXISTS (SELECT 1 FROM {{ touched }} AS t WHERE t.event_id = m.event_id)
  UNION ALL
  SELECT t.event_id, t.event_type, t.{{ quote('event') }}, t.anonymous_id, t.user_id, t.new_visitor_id,
         t.event_tstamp
  FROM {{ touched }} AS t
  WHERE t.new_visitor_id IS NOT NULL
),
gaps AS (
  SELECT e.*, a.kept_sessions,
         COALESCE(LAG(e.event_tstamp) OVER (PARTITION BY e.dbt_visitor_id ORDER BY e.{{ order | replace(', ', ', e.') }}),
                  a.kept_last_end) AS previous_tstamp
  FROM events AS e
  JOIN {{ affected }} AS a ON a.dbt_visitor_id = e.dbt_visitor_id
),
starts AS (
  SELECT g.*,
         CASE WHEN g.previous_tstamp IS NULL
                OR {{ rs_starts_session('g.previous_tstamp', 'g.event_tstamp', session_gap_rule, session_idle_cutoff_seconds) }}
              THEN 1 ELSE 0 END AS starts_session
  FROM gaps AS g
),
numbered AS (
  SELECT s.*,
         s.kept_sessions + SUM(s.starts_session) OVER (PARTITION BY s.dbt_visitor_id ORDER BY s.{{ order | replace(', ', ', s.') }}
                                                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
           AS session_sequence_number
  FROM starts AS s
),
positioned AS (
  SELECT n.*,
         ROW_NUMBER() OVER (PARTITION BY n.dbt_visitor_id, n.session_sequence_number
                            ORDER BY n.{{ order | replace(', ', ', n.') }}) AS track_sequence_number,
         FIRST_VALUE(n.event_id) OVER (PARTITION BY n.dbt_visitor_id, n.session_sequence_number
                                       ORDER BY n.{{ order | replace(', ', ', n.') }}
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS first_event_id
  FROM numbered AS n
)
SELECT p.event_id, p.event_type, p.{{ quote('event') }}, p.anonymous_id, p.user_id, p.dbt_visitor_id, p.event_tstamp,
       {{ rs_whole_minutes('p.previous_tstamp', 'p.event_tstamp') }} AS idle_time_minutes,
       {{ rs_seconds('p.previous_tstamp', 'p.event_tstamp') }} AS idle_time_seconds,
       p.session_sequence_number, p.track_sequence_number,
       {{ rs_session_id('p.session_sequence_number', 'p.dbt_visitor_id', 'p.first_event_id', session_id_format) }}
         AS session_id
FROM positioned AS p
{%- endcall %};
