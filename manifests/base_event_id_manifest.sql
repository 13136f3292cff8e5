-- Web model: every copy of an event the base module has staged (each copy by its event id,
-- collector_tstamp and load_tstamp), so a backfill re-stages exactly what main staged.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'base_event_id_manifest') }} (
  event_id          VARCHAR(36) NOT NULL,
  collector_tstamp  TIMESTAMP   NOT NULL,
  load_tstamp       TIMESTAMP
){{ table_options(dist_key='event_id', sort_keys='collector_tstamp') }};
{{ create_index('base_event_id_manifest' ~ entropy ~ '_id', table(output_schema, 'base_event_id_manifest'), 'event_id') }};
