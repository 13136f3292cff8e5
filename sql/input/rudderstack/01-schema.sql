-- RudderStack's input schema (`rs_schema`, one per RudderStack source) and the table its
-- loader logs discarded values in: a value that did not fit its column's type is stored as
-- NULL, and its row id, table, column, text and the reason are kept here.
-- The event tables are created by `sluice load --source rudderstack` as files bring them
-- (02-columns.sql).
CREATE SCHEMA IF NOT EXISTS {{ rs_schema }};
CREATE TABLE IF NOT EXISTS {{ table(rs_schema, 'rudder_discards') }} (
  row_id       {{ column_type('string') }},
  table_name   {{ column_type('string') }},
  column_name  {{ column_type('string') }},
  column_value {{ column_type('string') }},
  reason       {{ column_type('string') }},
  received_at  {{ column_type('timestamp') }},
  uuid_ts      {{ column_type('timestamp') }}
){{ table_options(sort_keys='uuid_ts') }};
