-- Sessions with events due this run. A session's start is the earlier of what the session
-- manifest knows and what is new. A session the manifest knows whose new events come more
-- than days_late_allowed after its known start is left out; one it has never seen is always
-- included, whole, however long it spans (Snowplow v1).
{% call replace_table(table(scratch_schema, 'base_sessions_to_include')) -%}
WITH due AS (
  SELECT b.domain_sessionid, b.collector_tstamp
  FROM {{ table(output_schema, 'base_event_backlog') }} AS b
  WHERE b.collector_tstamp <= (SELECT upper_limit FROM {{ table(scratch_schema, 'base_run_limits') }})
  UNION ALL
  SELECT c.domain_sessionid, c.collector_tstamp
  FROM {{ table(scratch_schema, 'base_new_event_candidates') }} AS c
  WHERE c.stageable
    AND c.collector_tstamp <= (SELECT upper_limit FROM {{ table(scratch_schema, 'base_run_limits') }})
),
new_sessions AS (
  SELECT domain_sessionid AS session_id, MIN(collector_tstamp) AS min_tstamp, MAX(collector_tstamp) AS max_tstamp
  FROM due
  GROUP BY domain_sessionid
),
known AS (
  SELECT m.session_id, MIN(m.min_tstamp) AS min_tstamp
  FROM {{ table(output_schema, 'base_session_id_manifest') }} AS m
  WHERE m.min_tstamp >= (SELECT session_limit FROM {{ table(scratch_schema, 'base_run_limits') }})
    AND m.session_id IN (SELECT session_id FROM new_sessions)
  GROUP BY m.session_id
)
SELECT
  n.session_id,
  LEAST(COALESCE(k.min_tstamp, n.min_tstamp), n.min_tstamp) AS start_tstamp,
  n.max_tstamp,
  (k.min_tstamp IS NULL OR n.max_tstamp <= {{ dateadd('day', number(days_late_allowed), 'k.min_tstamp') }}) AS included
FROM new_sessions AS n
LEFT JOIN known AS k ON k.session_id = n.session_id
{%- endcall %};
