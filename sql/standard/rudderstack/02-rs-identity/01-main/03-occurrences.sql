-- Every occurrence of those aliases in the rows as they stand after this run (the kept rows
-- less those replaced, plus the new ones not excluded): the alias, the column it is in, the
-- user_id it is linked to there (anonymous_id and previous_id only), and the row.
{%- set aliases = table(scratch_schema, 'rs_identity_aliases') %}
{%- set new = table(scratch_schema, 'rs_identity_new') %}
{% call replace_table(table(scratch_schema, 'rs_identity_occurrences')) -%}
WITH kept AS (
  -- one scan (the table has no index to serve one per column): half the time of three
  SELECT r.source_table, r.event_id, r.anonymous_id, r.user_id, r.previous_id, r.event_tstamp
  FROM {{ table(output_schema, 'rs_identity_rows') }} AS r
  WHERE r.anonymous_id IN (SELECT alias FROM {{ aliases }})
     OR r.user_id IN (SELECT alias FROM {{ aliases }})
     OR r.previous_id IN (SELECT alias FROM {{ aliases }})
),
current_rows AS (
  SELECT k.* FROM kept AS k
  WHERE NOT EXISTS (SELECT 1 FROM {{ new }} AS n WHERE n.source_table = k.source_table AND n.event_id = k.event_id)
  UNION ALL
  SELECT n.source_table, n.event_id, n.anonymous_id, n.user_id, n.previous_id, n.event_tstamp
  FROM {{ new }} AS n WHERE NOT n.excluded
)
SELECT anonymous_id AS alias, CAST('anonymous_id' AS VARCHAR(16)) AS id_column, user_id AS linked_user_id,
       event_tstamp, event_id, source_table
FROM current_rows WHERE anonymous_id IN (SELECT alias FROM {{ aliases }})
UNION ALL
SELECT user_id, CAST('user_id' AS VARCHAR(16)), CAST(NULL AS {{ column_type('string') }}), event_tstamp, event_id,
       source_table
FROM current_rows WHERE user_id IN (SELECT alias FROM {{ aliases }})
UNION ALL
SELECT previous_id, CAST('previous_id' AS VARCHAR(16)), user_id, event_tstamp, event_id, source_table
FROM current_rows WHERE previous_id IN (SELECT alias FROM {{ aliases }})
{%- endcall %};
