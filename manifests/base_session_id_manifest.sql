-- Web model: every session the base module has processed, with its first timestamp.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'base_session_id_manifest') }} (
  session_id   VARCHAR(128) NOT NULL,
  min_tstamp   TIMESTAMP    NOT NULL
){{ table_options(dist_key='session_id', sort_keys='min_tstamp') }};
{{ create_index('base_session_id_manifest' ~ entropy ~ '_id', table(output_schema, 'base_session_id_manifest'), 'session_id') }};
