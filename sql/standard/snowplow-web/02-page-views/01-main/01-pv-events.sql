-- The unconsumed batches of events_staged, each session from the newest batch that holds it:
-- a session re-read by base carries all its events, so older copies are superseded.
DROP TABLE IF EXISTS {{ table(scratch_schema, 'pv_events') }};
CREATE TABLE {{ table(scratch_schema, 'pv_events') }} AS
WITH input AS (
  SELECT * FROM {{ unconsumed('events_staged', 'e') }}
),
newest AS (
  SELECT domain_sessionid, MAX(batch_id) AS batch_id FROM input GROUP BY domain_sessionid
)
SELECT i.*
FROM input AS i
JOIN newest AS n ON n.domain_sessionid = i.domain_sessionid AND n.batch_id = i.batch_id;
