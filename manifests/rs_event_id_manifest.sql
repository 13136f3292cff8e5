-- RudderStack: for every (table, id) the base module has seen, the copy it keeps: the one
-- received first, then loaded first (a later copy replaces it only when it beats these).
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_event_id_manifest') }} (
  source_table     VARCHAR(32)  NOT NULL,
  event_id         {{ column_type('string') }} NOT NULL,
  event_tstamp     TIMESTAMP,
  received_tstamp  TIMESTAMP    NOT NULL,
  loaded_tstamp    TIMESTAMP    NOT NULL
){{ table_options(dist_key='event_id', sort_keys='loaded_tstamp') }};
{{ create_index('rs_event_id_manifest' ~ entropy ~ '_id', table(output_schema, 'rs_event_id_manifest'), 'event_id') }};
