-- This run processes at most update_cadence_days of event time, counted from the first new
-- event (so a gap in the data never stalls the model).
DROP TABLE IF EXISTS {{ table(scratch_schema, 'base_run_limits') }};
CREATE TABLE {{ table(scratch_schema, 'base_run_limits') }} AS
SELECT
  l.lower_limit,
  (SELECT {{ dateadd('day', number(update_cadence_days), 'MIN(c.collector_tstamp)') }}
   FROM {{ table(scratch_schema, 'base_new_event_candidates') }} AS c) AS upper_limit,
  (SELECT {{ dateadd('day', -number(session_lookback_days), 'MIN(c.collector_tstamp)') }}
   FROM {{ table(scratch_schema, 'base_new_event_candidates') }} AS c) AS session_limit
FROM {{ table(scratch_schema, 'base_new_events_limits') }} AS l;
