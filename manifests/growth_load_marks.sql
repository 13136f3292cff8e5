-- Growth analytics: the newest load batch (`sluice load --source growth`) growth_staging has
-- read; the next run reads the batches after it.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'growth_load_marks') }} (
  load_batch_id  BIGINT    NOT NULL,
  marked_tstamp  TIMESTAMP NOT NULL
){{ table_options(dist_key='all') }};
