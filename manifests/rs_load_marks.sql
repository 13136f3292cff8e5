-- RudderStack: per input table, the newest load time (`uuid_ts`) the base module has read;
-- the next run reads from it less rs_lookback_hours.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_load_marks') }} (
  source_table   VARCHAR(32) NOT NULL,
  loaded_tstamp  TIMESTAMP   NOT NULL
){{ table_options(dist_key='all', sort_keys='source_table') }};
