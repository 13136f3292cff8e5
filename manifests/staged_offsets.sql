-- For each consumer module and staged table: the last batch it consumed, and the batch its
-- current main read up to (committed as consumed by its complete step).
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'staged_offsets') }} (
  consumer        VARCHAR(128) NOT NULL,
  staged_table    VARCHAR(128) NOT NULL,
  consumed_batch  BIGINT       NOT NULL,
  pending_batch   BIGINT,
  updated_at      TIMESTAMP    NOT NULL,
  PRIMARY KEY (consumer, staged_table)
){{ table_options(dist_key='all') }};
