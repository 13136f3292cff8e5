-- The sessions re-derived this run, with their facts, and each affected visitor's user facts
-- (its kept sessions and its new ones: the earliest and the latest start, how many).
{%- set S = sessions_scratch_prefix %}
{%- set events = table(scratch_schema, S ~ 'events_this_run') %}
{%- set sessions = table(scratch_schema, S ~ 'sessions_this_run') %}
{%- set affected = table(scratch_schema, S ~ 'affected') %}
{% call replace_table(sessions) -%}
WITH grouped AS (
  SELECT session_id, dbt_visitor_id, session_sequence_number,
         MIN(event_tstamp) AS session_start_at, MAX(event_tstamp) AS ended_at,
         COUNT(DISTINCT event_id) AS num_pvs, COUNT(*) AS n_events
{%- for name, event in session_event_counters.items() %},
         SUM(CASE WHEN {{ quote('event') }} = '{{ event | replace("'", "''") }}' THEN 1 ELSE 0 END) AS {{ rs_sql_name(name) }}
{%- endfor %}
  FROM {{ events }}
  GROUP BY session_id, dbt_visitor_id, session_sequence_number
)
SELECT g.*,
       LEAD(g.session_start_at) OVER (PARTITION BY g.dbt_visitor_id ORDER BY g.session_sequence_number)
         AS next_session_start_at
FROM grouped AS g
{%- endcall %};

{% call replace_table(table(scratch_schema, S ~ 'users_this_run')) -%}
SELECT a.dbt_visitor_id,
       COALESCE(a.kept_first_start, MIN(s.session_start_at)) AS first_date,
       COALESCE(MAX(s.session_start_at), a.kept_last_start) AS last_date,
       a.kept_sessions + COUNT(s.session_id) AS number_of_sessions
FROM {{ affected }} AS a
LEFT JOIN {{ sessions }} AS s ON s.dbt_visitor_id = a.dbt_visitor_id
GROUP BY a.dbt_visitor_id, a.kept_first_start, a.kept_last_start, a.kept_sessions
HAVING a.kept_sessions + COUNT(s.session_id) > 0
{%- endcall %};
