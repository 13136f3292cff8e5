-- The conversions whose row changes, as they stand after this run: those read now (`removed`
-- when their kept copy is excluded), and the stored ones whose user decides differently now (a
-- conversion's blended user is its user_id's user, else its anonymous_id's). Then every
-- conversion to attribute again: those, and the stored ones of a user whose sessions change,
-- converted from the earliest changed start to the latest plus the look-back (no other can
-- have a changed session among its touches). Then the conversion dates to sum again: the ones
-- those conversions had and have.
{%- set orders_in = table(scratch_schema, 'web_attr_orders_in') %}
{%- set remapped = table(scratch_schema, 'web_attr_remapped') %}
{%- set mapping = table(scratch_schema, 'web_attr_mapping') %}
{%- set changed = table(scratch_schema, 'web_attr_conversions') %}
{%- set recompute = table(scratch_schema, 'web_attr_recompute') %}
{%- set users = table(scratch_schema, 'web_attr_users') %}
{%- set stored = table(output_schema, 'web_conversions') %}
{%- set tz = rs_time_zone(reporting_timezone) %}
{% call replace_table(changed) -%}
WITH read_again AS (
  SELECT i.conversion_id, i.order_id, i.anonymous_id, i.user_id, i.converted_at, i.amount, i.currency, i.removed
  FROM {{ orders_in }} AS i
  UNION ALL
  SELECT c.conversion_id, c.order_id, c.anonymous_id, c.user_id, c.converted_at, c.amount, c.currency, FALSE
  FROM (SELECT s.* FROM {{ stored }} AS s WHERE s.user_id IN (SELECT r.alias FROM {{ remapped }} AS r)
        UNION ALL
        SELECT s.* FROM {{ stored }} AS s
        WHERE s.user_id IS NULL AND s.anonymous_id IN (SELECT r.alias FROM {{ remapped }} AS r)) AS c
  WHERE NOT EXISTS (SELECT 1 FROM {{ orders_in }} AS i WHERE i.conversion_id = c.conversion_id)
)
SELECT a.*,
       CASE WHEN a.user_id IS NOT NULL THEN COALESCE(mu.dbt_visitor_id, a.user_id)
            ELSE COALESCE(ma.dbt_visitor_id, a.anonymous_id) END AS blended_user_id,
       {{ local_date('a.converted_at', tz) }} AS conversion_date
FROM read_again AS a
LEFT JOIN {{ mapping }} AS mu ON mu.alias = a.user_id
LEFT JOIN {{ mapping }} AS ma ON ma.alias = a.anonymous_id
{%- endcall %};

{% call replace_table(recompute) -%}
SELECT c.conversion_id, c.order_id, c.blended_user_id, c.converted_at, c.amount
FROM {{ changed }} AS c
WHERE NOT c.removed
UNION ALL
SELECT c.conversion_id, c.order_id, c.blended_user_id, c.converted_at, c.amount
FROM {{ stored }} AS c
JOIN {{ users }} AS u ON u.blended_user_id = c.blended_user_id
 AND c.converted_at >= u.changed_from
 AND c.converted_at <= {{ dateadd('day', number(attribution_lookback_days), 'u.changed_to') }}
WHERE NOT EXISTS (SELECT 1 FROM {{ changed }} AS x WHERE x.conversion_id = c.conversion_id)
{%- endcall %};

{% call replace_table(table(scratch_schema, 'web_attr_dates')) -%}
SELECT c.conversion_date FROM {{ stored }} AS c
WHERE c.conversion_id IN (SELECT x.conversion_id FROM {{ changed }} AS x)
UNION
SELECT c.conversion_date FROM {{ changed }} AS c WHERE NOT c.removed
UNION
SELECT c.conversion_date FROM {{ stored }} AS c
WHERE c.conversion_id IN (SELECT r.conversion_id FROM {{ recompute }} AS r)
{%- endcall %};
