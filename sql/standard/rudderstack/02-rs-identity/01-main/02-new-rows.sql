-- The rows of the unconsumed batches, each id from the newest batch holding it, and every id
-- value they carry now or carried in the version this module keeps: the aliases to map again
-- (the kept versions found by one join, not one per column).
{% call replace_table(table(scratch_schema, 'rs_identity_new')) -%}
SELECT l.source_table, l.event_id, l.anonymous_id, l.user_id, l.previous_id, l.event_tstamp, l.excluded
FROM {{ unconsumed('rs_identity_links_staged', 'l', newest_per='event_id') }}
{%- endcall %};

{%- set new = table(scratch_schema, 'rs_identity_new') %}
{% call replace_table(table(scratch_schema, 'rs_identity_aliases')) -%}
WITH kept_version AS (
  SELECT r.anonymous_id, r.user_id, r.previous_id
  FROM {{ table(output_schema, 'rs_identity_rows') }} AS r
  JOIN {{ new }} AS n ON n.source_table = r.source_table AND n.event_id = r.event_id
)
SELECT DISTINCT alias FROM (
  SELECT anonymous_id AS alias FROM {{ new }}
  UNION ALL SELECT user_id FROM {{ new }}
  UNION ALL SELECT previous_id FROM {{ new }}
  UNION ALL SELECT anonymous_id FROM kept_version
  UNION ALL SELECT user_id FROM kept_version
  UNION ALL SELECT previous_id FROM kept_version
) AS ids
WHERE alias IS NOT NULL
{%- endcall %};
