-- Each alias that still occurs somewhere: its visitor (itself when it was ever a user_id, else
-- the user_id of its deciding link, else itself), when it was first and last seen, and the
-- row of the deciding link (none when it maps to itself).
{%- set occurrences = table(scratch_schema, 'rs_identity_occurrences') %}
{%- if alias_resolution == 'last' %}
{%- set link_order = 'event_tstamp DESC NULLS LAST, event_id DESC, source_table DESC, id_column DESC' %}
{%- else %}
{%- set link_order = 'event_tstamp ASC NULLS LAST, event_id ASC, source_table ASC, id_column ASC' %}
{%- endif %}
{% call replace_table(table(scratch_schema, 'rs_identity_mapping_this_run')) -%}
WITH seen AS (
  SELECT alias, MIN(event_tstamp) AS first_seen_at, MAX(event_tstamp) AS last_seen_at,
         MAX(CASE WHEN id_column = 'user_id' THEN 1 ELSE 0 END) AS is_user
  FROM {{ occurrences }}
  GROUP BY alias
),
deciding_link AS (
  SELECT alias, linked_user_id, event_id
  FROM {{ first_per('(SELECT * FROM ' ~ occurrences ~ ' WHERE linked_user_id IS NOT NULL)', 'alias', link_order) }} AS l
)
SELECT s.alias,
       CASE WHEN s.is_user = 1 OR l.linked_user_id IS NULL THEN s.alias ELSE l.linked_user_id END AS dbt_visitor_id,
       s.first_seen_at, s.last_seen_at,
       CASE WHEN s.is_user = 1 THEN NULL ELSE l.event_id END AS resolved_by_event_id
FROM seen AS s
LEFT JOIN deciding_link AS l ON l.alias = s.alias
{%- endcall %};
