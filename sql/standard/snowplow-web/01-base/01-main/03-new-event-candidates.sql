-- New events loaded since the lower limit: an event id counts as new while the events table
-- holds more copies of it (loaded since then) than the manifest has processed, so a duplicate
-- arriving later sends its session back through the model. Events without a session, sent too late after
-- they were created, or before start_date are never processed.
DROP TABLE IF EXISTS {{ table(scratch_schema, 'base_new_event_candidates') }};
CREATE TABLE {{ table(scratch_schema, 'base_new_event_candidates') }} AS
WITH window_events AS (
  SELECT e.event_id, e.domain_sessionid, e.collector_tstamp, e.load_tstamp
  FROM {{ table(input_schema, 'events') }} AS e
  CROSS JOIN {{ table(scratch_schema, 'base_new_events_limits') }} AS l
  WHERE (e.load_tstamp >= l.lower_limit OR (e.load_tstamp IS NULL AND e.collector_tstamp >= l.lower_limit))
    AND e.collector_tstamp >= {{ ts_literal(start_date) }}
    AND e.domain_sessionid IS NOT NULL AND e.domain_sessionid <> ''
    AND e.event_id IS NOT NULL
    AND (e.dvce_sent_tstamp IS NULL OR e.dvce_created_tstamp IS NULL
         OR e.dvce_sent_tstamp <= {{ dateadd('day', number(days_late_allowed), 'e.dvce_created_tstamp') }})
),
copies AS (
  SELECT event_id, COUNT(*) AS copies FROM window_events GROUP BY event_id
),
processed AS (
  SELECT m.event_id, COUNT(*) AS copies
  FROM {{ table(output_schema, 'base_event_id_manifest') }} AS m
  CROSS JOIN {{ table(scratch_schema, 'base_new_events_limits') }} AS l
  WHERE (m.load_tstamp >= l.lower_limit OR (m.load_tstamp IS NULL AND m.collector_tstamp >= l.lower_limit))
    AND m.event_id IN (SELECT event_id FROM copies)
  GROUP BY m.event_id
)
SELECT w.event_id, w.domain_sessionid, w.collector_tstamp, w.load_tstamp
FROM window_events AS w
JOIN copies AS c ON c.event_id = w.event_id
LEFT JOIN processed AS p ON p.event_id = w.event_id
WHERE p.copies IS NULL OR c.copies > p.copies;
