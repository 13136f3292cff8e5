-- Critical: each raw table that exists has the columns growth_staging reads, of the kinds
-- sluice load --source growth gives them (a table filled by other means must match). A table
-- that does not exist yet is no failure: nothing has been loaded.
{%- set expected = [] %}
{%- for name, fields in growth_raw_tables.items() %}
{%- for column, kind in fields + [('load_batch_id', 'int'), ('row_hash', 'string')] %}
{%- set _ = expected.append((name, column, kind)) %}
{%- endfor %}
{%- endfor %}
SELECT e.table_name, e.column_name, e.expected_kind, c.data_type
FROM (
{%- for name, column, kind in expected %}
  {{ 'UNION ALL ' if not loop.first }}SELECT CAST('{{ name ~ entropy }}' AS VARCHAR(128)) AS table_name,
         CAST('{{ column }}' AS VARCHAR(128)) AS column_name, CAST('{{ kind }}' AS VARCHAR(16)) AS expected_kind
{%- endfor %}
) AS e
LEFT JOIN information_schema.columns AS c
  ON c.table_schema = '{{ growth_raw_schema }}' AND c.table_name = e.table_name AND c.column_name = e.column_name
WHERE e.table_name IN (SELECT t.table_name FROM information_schema.tables AS t
                       WHERE t.table_schema = '{{ growth_raw_schema }}')
  AND (c.column_name IS NULL
{%- for kind in ['int', 'datetime', 'boolean', 'string'] %}
       OR (e.expected_kind = '{{ kind }}' AND NOT ({{ growth_type_matches('c.data_type', kind) }}))
{%- endfor %})
