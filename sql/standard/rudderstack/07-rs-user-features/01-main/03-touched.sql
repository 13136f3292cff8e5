-- The rows this run looks at again: the new or changed ones (with each order's units) and the
-- stored rows of every remapped id (a row belongs to its user_id's visitor when it has one,
-- else to its anonymous_id's). Then the mapping of every id they carry, read once, and each
-- row's visitor before (as stored) and after: the rows whose visitor or content changes.
{%- set rows = table(output_schema, 'rs_features_rows') %}
{%- set props_in = table(scratch_schema, 'rs_features_props_in') %}
{%- set remapped = table(scratch_schema, 'rs_features_remapped') %}
{%- set candidates = table(scratch_schema, 'rs_features_candidates') %}
{%- set mapping = table(scratch_schema, 'rs_features_mapping') %}
{%- set aliases_mapping = table(output_schema, 'dbt_aliases_mapping') %}
{%- set fields = ['source_table', 'event_id', 'anonymous_id', 'user_id', 'event_tstamp', 'event_date', 'is_mobile',
                  'is_web', 'campaign_source', 'email_domain', 'gender', 'birthday', 'country', 'state', 'created_at',
                  'cart_id', 'product_ref', 'payment_method', 'order_id', 'amount'] %}
{% call replace_table(candidates) -%}
SELECT {% for f in fields %}p.{{ f }}, {% endfor %}
       CASE WHEN p.source_table = 'order_completed' AND NOT p.excluded THEN COALESCE(u.units, 0) END AS units,
       p.excluded, 1 AS is_new
FROM {{ props_in }} AS p
LEFT JOIN (SELECT l.event_id, SUM(l.quantity) AS units FROM {{ table(scratch_schema, 'rs_features_lines_in') }} AS l
           GROUP BY l.event_id) AS u ON u.event_id = p.event_id
UNION ALL
SELECT {% for f in fields %}r.{{ f }}, {% endfor %}r.units, FALSE, 0
FROM {{ rows }} AS r
WHERE (r.user_id IN (SELECT alias FROM {{ remapped }})
       OR (r.user_id IS NULL AND r.anonymous_id IN (SELECT alias FROM {{ remapped }})))
  AND NOT EXISTS (SELECT 1 FROM {{ props_in }} AS p WHERE p.event_id = r.event_id)
{%- endcall %};

{% call replace_table(mapping) -%}
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

{% call replace_table(table(scratch_schema, 'rs_features_touched')) -%}
WITH visitors AS (
  SELECT c.*,
         CASE WHEN c.excluded THEN NULL
              WHEN c.user_id IS NOT NULL THEN COALESCE(mu.dbt_visitor_id, c.user_id)
              ELSE COALESCE(ma.dbt_visitor_id, c.anonymous_id) END AS visitor_id,
         o.visitor_id AS old_visitor_id, o.event_date AS old_date
  FROM {{ candidates }} AS c
  LEFT JOIN {{ mapping }} AS mu ON mu.alias = c.user_id
  LEFT JOIN {{ mapping }} AS ma ON ma.alias = c.anonymous_id
  LEFT JOIN {{ rows }} AS o ON o.event_id = c.event_id
)
SELECT v.*
FROM visitors AS v
WHERE v.is_new = 1 OR v.old_visitor_id <> v.visitor_id
{%- endcall %};
