-- Which run of a module holds its lock. One row per module at most.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'module_locks') }} (
  module     VARCHAR(128) NOT NULL PRIMARY KEY,
  run_id     VARCHAR(64)  NOT NULL,
  host       VARCHAR(256) NOT NULL,
  pid        BIGINT       NOT NULL,
  since      TIMESTAMP    NOT NULL
){{ table_options(dist_key='all') }};
