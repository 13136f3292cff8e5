-- Each affected visitor's safe restart point (rs_restart_points): t (changed_from) is the
-- earliest time among its new, moved-in, moved-out or removed events.
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
sessions AS (
  SELECT st.dbt_visitor_id, st.session_start_at AS session_start, sf.ended_at AS session_end
  FROM {{ table(output_schema, sessions_prefix ~ 'session_tracks') }} AS st
  JOIN {{ table(output_schema, sessions_prefix ~ 'session_track_facts') }} AS sf ON sf.session_id = st.session_id
)
{{ rs_restart_points('changed', 'sessions', 'dbt_visitor_id', session_gap_rule, session_idle_cutoff_seconds) }}
{%- endcall %};
