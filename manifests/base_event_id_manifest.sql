-- Web model: every copy of an event id the base module has processed, with its
-- collector_tstamp and when it was loaded (the base finds new events by load time).
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'base_event_id_manifest') }} (
  event_id          VARCHAR(36) NOT NULL,
  collector_tstamp  TIMESTAMP   NOT NULL,
  load_tstamp       TIMESTAMP
){{ table_options(dist_key='event_id', sort_keys='collector_tstamp') }};
{{ create_index('base_event_id_manifest' ~ entropy ~ '_id', table(output_schema, 'base_event_id_manifest'), 'event_id') }};
