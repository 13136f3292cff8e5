-- The growth-analytics input schema (`growth_raw_schema`, default raw): the two files of the
-- case as tables, each row with the load batch it arrived in and a hash of its content (a row
-- already there is not added again), and one row per file loaded in growth_loads.
CREATE SCHEMA IF NOT EXISTS {{ growth_raw_schema }};
CREATE TABLE IF NOT EXISTS {{ table(growth_raw_schema, 'growth_loads') }} (
  load_batch_id  BIGINT NOT NULL PRIMARY KEY,
  source_table   VARCHAR(32) NOT NULL,
  source_file    {{ column_type('string') }} NOT NULL,
  rows_read      BIGINT NOT NULL,
  rows_added     BIGINT NOT NULL,
  rows_rejected  BIGINT NOT NULL,
  loaded_tstamp  TIMESTAMP NOT NULL
){{ table_options(dist_key='all') }};
CREATE TABLE IF NOT EXISTS {{ table(growth_raw_schema, 'sessions') }} (
  user_id        BIGINT,
  time_started   TIMESTAMP,
  is_paid        BOOLEAN,
  medium         {{ column_type('string') }},
  load_batch_id  BIGINT NOT NULL,
  row_hash       VARCHAR(32) NOT NULL
){{ table_options(dist_key='user_id', sort_keys='load_batch_id') }};
CREATE TABLE IF NOT EXISTS {{ table(growth_raw_schema, 'conversions') }} (
  user_id            BIGINT,
  registration_time  TIMESTAMP,
  load_batch_id      BIGINT NOT NULL,
  row_hash           VARCHAR(32) NOT NULL
){{ table_options(dist_key='user_id', sort_keys='load_batch_id') }};
{%- for t in ['sessions', 'conversions'] %}
{{ create_index('growth_raw_' ~ t ~ entropy ~ '_batch', table(growth_raw_schema, t), 'load_batch_id') }};
{{ create_index('growth_raw_' ~ t ~ entropy ~ '_hash', table(growth_raw_schema, t), 'row_hash') }};
{%- endfor %}
