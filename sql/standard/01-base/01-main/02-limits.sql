-- Where to look for new events: behind the newest processed event by the look-back window,
-- or from start_date on a new manifest.
DROP TABLE IF EXISTS {{ table(scratch_schema, 'base_new_events_limits') }};
CREATE TABLE {{ table(scratch_schema, 'base_new_events_limits') }} AS
SELECT
  COALESCE({{ dateadd('hour', -number(lookback_window_hours), 'MAX(collector_tstamp)') }},
           {{ ts_literal(start_date) }}) AS lower_limit
FROM {{ table(output_schema, 'base_event_id_manifest') }};
