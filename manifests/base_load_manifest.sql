-- Web model: the newest loads (distinct load_tstamp values) the base module has read, so a
-- run reads only rows loaded after them, or between them (a load that committed late).
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'base_load_manifest') }} (
  load_tstamp  TIMESTAMP NOT NULL,
  events       BIGINT    NOT NULL
){{ table_options(dist_key='all', sort_keys='load_tstamp') }};
