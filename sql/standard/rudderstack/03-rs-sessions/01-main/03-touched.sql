-- The events this run looks at again: the new or changed ones, and the stored events of every
-- remapped alias (an event belongs to its user_id's visitor when it has one, else to its
-- anonymous_id's). Then the mapping of every id they carry, read once, so the whole run sees
-- one state of it; then each event's visitor before (as stored) and after.
{%- set S = sessions_scratch_prefix %}
{%- set mapped = table(output_schema, sessions_prefix ~ 'mapped_tracks') %}
{%- set events_in = table(scratch_schema, S ~ 'events_in') %}
{%- set remapped = table(scratch_schema, S ~ 'remapped') %}
{%- set candidates = table(scratch_schema, S ~ 'candidates') %}
{%- set aliases_mapping = table(output_schema, 'dbt_aliases_mapping') %}
{% call replace_table(candidates) -%}
WITH remapped_events AS (
  SELECT m.event_id FROM {{ mapped }} AS m WHERE m.user_id IN (SELECT alias FROM {{ remapped }})
  UNION
  SELECT m.event_id FROM {{ mapped }} AS m
  WHERE m.user_id IS NULL AND m.anonymous_id IN (SELECT alias FROM {{ remapped }})
)
SELECT i.event_id, i.event_type, i.{{ quote('event') }}, i.anonymous_id, i.user_id, i.event_tstamp, i.excluded,
       1 AS is_new
FROM {{ events_in }} AS i
UNION ALL
SELECT m.event_id, m.event_type, m.{{ quote('event') }}, m.anonymous_id, m.user_id, m.{{ quote('timestamp') }},
       FALSE, 0
FROM {{ mapped }} AS m
WHERE m.event_id IN (SELECT event_id FROM remapped_events)
  AND NOT EXISTS (SELECT 1 FROM {{ events_in }} AS i WHERE i.event_id = m.event_id)
{%- endcall %};

{% call replace_table(table(scratch_schema, S ~ 'mapping')) -%}
{%- if columns(aliases_mapping) %}
SELECT a.alias, a.dbt_visitor_id
FROM {{ aliases_mapping }} AS a
WHERE a.alias IN (SELECT user_id FROM {{ candidates }} UNION SELECT anonymous_id FROM {{ candidates }})
{%- else %}
-- rs_identity has not run yet: every id is its own visitor until its remaps arrive.
SELECT CAST(NULL AS {{ column_type('string') }}) AS alias, CAST(NULL AS {{ column_type('string') }}) AS dbt_visitor_id
WHERE 1 = 0
{%- endif %}
{%- endcall %};

{% call replace_table(table(scratch_schema, S ~ 'touched')) -%}
WITH visitors AS (
  SELECT c.*,
         CASE WHEN c.excluded THEN NULL
              WHEN c.user_id IS NOT NULL THEN COALESCE(mu.dbt_visitor_id, c.user_id)
              ELSE COALESCE(ma.dbt_visitor_id, c.anonymous_id) END AS new_visitor_id,
         o.dbt_visitor_id AS old_visitor_id, o.{{ quote('timestamp') }} AS old_tstamp
  FROM {{ candidates }} AS c
  LEFT JOIN {{ table(scratch_schema, S ~ 'mapping') }} AS mu ON mu.alias = c.user_id
  LEFT JOIN {{ table(scratch_schema, S ~ 'mapping') }} AS ma ON ma.alias = c.anonymous_id
  LEFT JOIN {{ mapped }} AS o ON o.event_id = c.event_id
)
SELECT event_id, event_type, {{ quote('event') }}, anonymous_id, user_id, event_tstamp, new_visitor_id,
       old_visitor_id, old_tstamp
FROM visitors
WHERE is_new = 1 OR old_visitor_id <> new_visitor_id
{%- endcall %};
