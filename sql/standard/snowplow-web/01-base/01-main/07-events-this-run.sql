-- Duplicated event ids are logged, then resolved as `duplicates` says, and each event gets its
-- page view id: the same SQL the backfill stages with (staged_events).
DROP TABLE IF EXISTS {{ table(scratch_schema, 'base_duplicates_this_run') }};
CREATE TABLE {{ table(scratch_schema, 'base_duplicates_this_run') }} AS
SELECT event_id, COUNT(*) AS copies, MIN(collector_tstamp) AS min_tstamp, MAX(collector_tstamp) AS max_tstamp
FROM {{ table(scratch_schema, 'base_events_this_run_raw') }}
GROUP BY event_id
HAVING COUNT(*) > 1;

DROP TABLE IF EXISTS {{ table(scratch_schema, 'events_this_run') }};
CREATE TABLE {{ table(scratch_schema, 'events_this_run') }} AS
{{ staged_events(table(scratch_schema, 'base_events_this_run_raw'),
                 table(input_schema, 'com_snowplowanalytics_snowplow_web_page_1'), duplicates) }};
