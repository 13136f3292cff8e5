-- Every batch a module appended to a _staged table. A batch is `pending` from its
-- producer's main until its complete commits it; consumers read committed batches only.
-- `consumer` is set on batches a backfill replays for one consumer alone.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'staged_batches') }} (
  staged_table  VARCHAR(128) NOT NULL,
  batch_id      BIGINT       NOT NULL,
  module        VARCHAR(128) NOT NULL,
  run_id        VARCHAR(64)  NOT NULL,
  state         VARCHAR(16)  NOT NULL,  -- pending, committed, released
  consumer      VARCHAR(128),
  rows_staged   BIGINT,
  created_at    TIMESTAMP    NOT NULL,
  committed_at  TIMESTAMP,
  PRIMARY KEY (staged_table, batch_id)
){{ table_options(dist_key='all') }};
