-- One row per data check a module ran: how many rows failed it and a few of them.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'dq_results') }} (
  run_id VARCHAR(64) NOT NULL,
  module VARCHAR(128) NOT NULL,
  check_name VARCHAR(128) NOT NULL,
  severity VARCHAR(16) NOT NULL,
  n_failing BIGINT NOT NULL,
  sample {{ column_type('string') }},
  checked_at TIMESTAMP NOT NULL
){{ table_options(dist_key='module', sort_keys=['checked_at']) }};
