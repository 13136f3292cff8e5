-- Every event of each included session, from the earliest included start up to the upper
-- limit, duplicates still in: downstream modules always see whole sessions.
DROP TABLE IF EXISTS {{ table(scratch_schema, 'base_events_this_run_raw') }};
CREATE TABLE {{ table(scratch_schema, 'base_events_this_run_raw') }} AS
SELECT e.*
FROM {{ table(input_schema, 'events') }} AS e
CROSS JOIN {{ table(scratch_schema, 'base_run_limits') }} AS r
WHERE e.domain_sessionid IN (SELECT session_id FROM {{ table(scratch_schema, 'base_sessions_to_include') }}
                             WHERE included)
  AND e.collector_tstamp >= (SELECT MIN(start_tstamp) FROM {{ table(scratch_schema, 'base_sessions_to_include') }}
                             WHERE included)
  AND e.collector_tstamp <= r.upper_limit
  AND e.collector_tstamp >= {{ ts_literal(start_date) }}
  AND e.event_id IS NOT NULL
  AND (e.dvce_sent_tstamp IS NULL OR e.dvce_created_tstamp IS NULL
       OR e.dvce_sent_tstamp <= {{ dateadd('day', number(days_late_allowed), 'e.dvce_created_tstamp') }});
