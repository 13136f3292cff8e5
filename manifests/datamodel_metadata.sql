-- One row per module run: what it processed and how it ended.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'datamodel_metadata') }} (
  run_id                 VARCHAR(64)  NOT NULL,
  model_version          VARCHAR(32)  NOT NULL,
  module                 VARCHAR(128) NOT NULL,
  outcome                VARCHAR(16)  NOT NULL,  -- running, main_done, failed, complete
  run_start_tstamp       TIMESTAMP    NOT NULL,
  main_end_tstamp        TIMESTAMP,
  run_end_tstamp         TIMESTAMP,
  rows_this_run          BIGINT,
  distinct_key           VARCHAR(128),
  distinct_key_count     BIGINT,
  time_key               VARCHAR(128),
  min_time_key           TIMESTAMP,
  max_time_key           TIMESTAMP,
  duplicate_rows_removed BIGINT,
  rows_dropped           BIGINT,                -- input rows the module could not use (see its module.yml)
  error                  VARCHAR(1024)
){{ table_options(dist_key='all') }};
