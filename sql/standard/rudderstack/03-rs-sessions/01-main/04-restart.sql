-- Each affected visitor's safe restart point. t (changed_from) is the earliest time among its
-- new, moved-in, moved-out or removed events. A stored session that ended more than the cutoff
-- before t cannot change (no event from t on can join it): it is kept, as is its number. The
-- restart point is the start of the earliest other session, or t when that is earlier (or
-- there is none); every event from there is re-sessionized. One equi-join of the visitors to
-- their sessions: nothing here is quadratic.
{%- set S = sessions_scratch_prefix %}
{%- set touched = table(scratch_schema, S ~ 'touched') %}
{% call replace_table(table(scratch_schema, S ~ 'affected')) -%}
WITH points AS (
  SELECT new_visitor_id AS dbt_visitor_id, event_tstamp AS tstamp FROM {{ touched }} WHERE new_visitor_id IS NOT NULL
  UNION ALL
  SELECT old_visitor_id, old_tstamp FROM {{ touched }} WHERE old_visitor_id IS NOT NULL
),
changed AS (
  SELECT dbt_visitor_id, MIN(tstamp) AS changed_from FROM points GROUP BY dbt_visitor_id
),
stored_sessions AS (
  SELECT st.dbt_visitor_id, st.session_start_at, sf.ended_at,
         CASE WHEN {{ rs_starts_session('sf.ended_at', 'c.changed_from', session_gap_rule, session_idle_cutoff_seconds) }}
              THEN 1 ELSE 0 END AS kept
  FROM {{ table(output_schema, sessions_prefix ~ 'session_tracks') }} AS st
  JOIN changed AS c ON c.dbt_visitor_id = st.dbt_visitor_id
  JOIN {{ table(output_schema, sessions_prefix ~ 'session_track_facts') }} AS sf ON sf.session_id = st.session_id
),
summary AS (
  SELECT c.dbt_visitor_id, c.changed_from,
         MIN(CASE WHEN s.kept = 0 THEN s.session_start_at END) AS first_redone_start,
         COUNT(CASE WHEN s.kept = 1 THEN 1 END) AS kept_sessions,
         MIN(CASE WHEN s.kept = 1 THEN s.session_start_at END) AS kept_first_start,
         MAX(CASE WHEN s.kept = 1 THEN s.session_start_at END) AS kept_last_start,
         MAX(CASE WHEN s.kept = 1 THEN s.ended_at END) AS kept_last_end
  FROM changed AS c
  LEFT JOIN stored_sessions AS s ON s.dbt_visitor_id = c.dbt_visitor_id
  GROUP BY c.dbt_visitor_id, c.changed_from
)
SELECT dbt_visitor_id, changed_from,
       CASE WHEN first_redone_start < changed_from THEN first_redone_start ELSE changed_from END AS restart_at,
       kept_sessions, kept_first_start, kept_last_start, kept_last_end
FROM summary
{%- endcall %};
