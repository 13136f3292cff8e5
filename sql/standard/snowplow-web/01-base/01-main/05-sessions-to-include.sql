-- Sessions with new events. A session's start is the earlier of what the session manifest
-- knows and what is new. A session the manifest knows whose new events come more than
-- days_late_allowed after its known start is left out (and its new events marked processed
-- by complete); one it has never seen is always included, whole, however long it spans
-- (Snowplow v1).
DROP TABLE IF EXISTS {{ table(scratch_schema, 'base_sessions_to_include') }};
CREATE TABLE {{ table(scratch_schema, 'base_sessions_to_include') }} AS
WITH new_sessions AS (
  SELECT c.domain_sessionid AS session_id, MIN(c.collector_tstamp) AS min_tstamp,
         MAX(c.collector_tstamp) AS max_tstamp
  FROM {{ table(scratch_schema, 'base_new_event_candidates') }} AS c
  CROSS JOIN {{ table(scratch_schema, 'base_run_limits') }} AS r
  WHERE c.collector_tstamp <= r.upper_limit
  GROUP BY c.domain_sessionid
),
known AS (
  SELECT m.session_id, MIN(m.min_tstamp) AS min_tstamp
  FROM {{ table(output_schema, 'base_session_id_manifest') }} AS m
  CROSS JOIN {{ table(scratch_schema, 'base_run_limits') }} AS r
  WHERE m.min_tstamp >= r.session_limit AND m.session_id IN (SELECT session_id FROM new_sessions)
  GROUP BY m.session_id
)
SELECT
  n.session_id,
  LEAST(COALESCE(k.min_tstamp, n.min_tstamp), n.min_tstamp) AS start_tstamp,
  n.max_tstamp,
  (k.min_tstamp IS NULL OR n.max_tstamp <= {{ dateadd('day', number(days_late_allowed), 'k.min_tstamp') }}) AS included
FROM new_sessions AS n
LEFT JOIN known AS k ON k.session_id = n.session_id;
