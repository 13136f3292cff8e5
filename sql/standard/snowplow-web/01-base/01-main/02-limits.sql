-- Where to look for new events: everything loaded since the newest processed load, less the
-- look-back window (so a batch arriving late, or two loads committing out of order, is still
-- seen); everything on a new manifest. Events without a load_tstamp count by collector_tstamp.
DROP TABLE IF EXISTS {{ table(scratch_schema, 'base_new_events_limits') }};
CREATE TABLE {{ table(scratch_schema, 'base_new_events_limits') }} AS
SELECT
  COALESCE({{ dateadd('hour', -number(lookback_window_hours), 'MAX(COALESCE(load_tstamp, collector_tstamp))') }},
           CAST('1970-01-01 00:00:00' AS TIMESTAMP)) AS lower_limit
FROM {{ table(output_schema, 'base_event_id_manifest') }};
