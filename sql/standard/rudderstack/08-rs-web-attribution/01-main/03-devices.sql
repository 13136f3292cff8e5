-- The devices (anonymous ids) this run looks at again, each with its safe restart point
-- (rs_restart_points): changed_from is the earliest time among its page views read now and the
-- stored copies they replace or remove (a replaced copy's old device counts too); the sessions
-- it keeps keep their numbers and their page views'. A remapped alias that has sessions is
-- looked at again too (`remapped`), with no restart point when none of its page views changed:
-- its sessions stay, only their user may change. Then the mapping of every id this run
-- resolves, read once, so the whole run sees one state of it.
{%- set pages_in = table(scratch_schema, 'web_attr_pages_in') %}
{%- set orders_in = table(scratch_schema, 'web_attr_orders_in') %}
{%- set remapped = table(scratch_schema, 'web_attr_remapped') %}
{%- set devices = table(scratch_schema, 'web_attr_devices') %}
{%- set page_views = table(output_schema, 'web_page_views') %}
{%- set initial = table(output_schema, 'web_sessions__initial') %}
{%- set aliases_mapping = table(output_schema, 'dbt_aliases_mapping') %}
{% call replace_table(devices) -%}
WITH points AS (
  SELECT i.anonymous_id, i.tstamp FROM {{ pages_in }} AS i WHERE NOT i.removed
  UNION ALL
  SELECT p.anonymous_id, p.tstamp FROM {{ page_views }} AS p
  WHERE p.page_view_id IN (SELECT i.page_view_id FROM {{ pages_in }} AS i)
),
changed AS (
  SELECT anonymous_id, MIN(tstamp) AS changed_from FROM points GROUP BY anonymous_id
),
sessions AS (
  SELECT anonymous_id, session_start_tstamp AS session_start, session_end_tstamp AS session_end, page_views AS events
  FROM {{ initial }}
),
restarts AS (
  {{ rs_restart_points('changed', 'sessions', 'anonymous_id', 'seconds', inactivity_cutoff, events=true) | indent(2) }}
)
SELECT anonymous_id, MIN(restart_at) AS restart_at, MAX(remapped) AS remapped,
       MAX(kept_sessions) AS kept_sessions, MAX(kept_page_views) AS kept_page_views
FROM (
  SELECT r.anonymous_id, r.restart_at, 0 AS remapped, r.kept_sessions, r.kept_events AS kept_page_views FROM restarts AS r
  UNION ALL
  SELECT DISTINCT s.anonymous_id, CAST(NULL AS TIMESTAMP), 1, 0, 0 FROM {{ initial }} AS s
  WHERE s.anonymous_id IN (SELECT r.alias FROM {{ remapped }} AS r)
) AS d
GROUP BY anonymous_id
{%- endcall %};

-- The sessions of those devices that stay as stored: all of a device with no restart point.
{% call replace_table(table(scratch_schema, 'web_attr_kept')) -%}
SELECT {{ rs_web_fields('session', 'names', 's', pass_through=pass_through_columns) }}
FROM {{ initial }} AS s
JOIN {{ devices }} AS d
  ON d.anonymous_id = s.anonymous_id AND (d.restart_at IS NULL OR s.session_start_tstamp < d.restart_at)
{%- endcall %};

{% call replace_table(table(scratch_schema, 'web_attr_mapping')) -%}
{%- if columns(aliases_mapping) %}
SELECT a.alias, a.dbt_visitor_id
FROM {{ aliases_mapping }} AS a
WHERE a.alias IN (SELECT anonymous_id FROM {{ devices }}
                  UNION SELECT anonymous_id FROM {{ orders_in }}
                  UNION SELECT user_id FROM {{ orders_in }}
                  UNION SELECT alias FROM {{ remapped }})
{%- else %}
-- rs_identity has not run yet: every id is its own user until its remaps arrive.
SELECT CAST(NULL AS {{ column_type('string') }}) AS alias, CAST(NULL AS {{ column_type('string') }}) AS dbt_visitor_id
WHERE 1 = 0
{%- endif %}
{%- endcall %};
