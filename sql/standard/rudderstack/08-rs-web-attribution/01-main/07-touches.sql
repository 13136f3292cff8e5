-- Each conversion attributed again, joined to the sessions of its blended user as they stand
-- after this run (a renumbered user's from main's table, any other's as stored) that started
-- within attribution_lookback_days before it (both ends included). In start order (ties by
-- session id): first touch, last touch, last non-direct touch (the latest whose channel is not
-- Direct; the last touch when all are), and linear credit 1 / touches; revenue = credit x
-- amount. A conversion with no touch has no row here (web_attribution_by_channel counts it
-- under '(none)').
{%- set recompute = table(scratch_schema, 'web_attr_recompute') %}
{%- set users = table(scratch_schema, 'web_attr_users') %}
{%- set window = 'ON s.blended_user_id = r.blended_user_id AND s.session_start_tstamp <= r.converted_at '
                 ~ 'AND s.session_start_tstamp >= ' ~ dateadd('day', -number(attribution_lookback_days), 'r.converted_at') %}
{% call replace_table(table(scratch_schema, 'web_attr_touches')) -%}
WITH touching AS (
  SELECT r.conversion_id, r.order_id, r.blended_user_id, r.converted_at, r.amount, s.session_id,
         s.session_start_tstamp, s.channel
  FROM {{ recompute }} AS r
  JOIN {{ table(output_schema, 'web_sessions') }} AS s {{ window }}
  WHERE NOT EXISTS (SELECT 1 FROM {{ users }} AS u WHERE u.blended_user_id = s.blended_user_id)
  UNION ALL
  SELECT r.conversion_id, r.order_id, r.blended_user_id, r.converted_at, r.amount, s.session_id,
         s.session_start_tstamp, s.channel
  FROM {{ recompute }} AS r
  JOIN {{ table(scratch_schema, 'web_attr_numbered') }} AS s {{ window }}
),
positioned AS (
  SELECT t.*,
         ROW_NUMBER() OVER (PARTITION BY t.conversion_id ORDER BY t.session_start_tstamp, t.session_id) AS touch_index,
         COUNT(*) OVER (PARTITION BY t.conversion_id) AS touches_in_path
  FROM touching AS t
),
indexed AS (
  SELECT p.*,
         COALESCE(MAX(CASE WHEN p.channel <> 'Direct' THEN p.touch_index END) OVER (PARTITION BY p.conversion_id),
                  p.touches_in_path) AS last_non_direct_index
  FROM positioned AS p
),
credited AS (
  SELECT p.*,
         CAST(CASE WHEN p.touch_index = 1 THEN 1 ELSE 0 END AS DOUBLE PRECISION) AS first_touch_credit,
         CAST(CASE WHEN p.touch_index = p.touches_in_path THEN 1 ELSE 0 END AS DOUBLE PRECISION) AS last_touch_credit,
         CAST(CASE WHEN p.touch_index = p.last_non_direct_index THEN 1 ELSE 0 END AS DOUBLE PRECISION)
           AS last_non_direct_credit,
         CAST(1 AS DOUBLE PRECISION) / p.touches_in_path AS linear_credit
  FROM indexed AS p
)
SELECT c.conversion_id, c.order_id, c.blended_user_id, c.converted_at, c.session_id, c.session_start_tstamp,
       c.channel, c.touch_index, c.touches_in_path, c.first_touch_credit, c.last_touch_credit,
       c.last_non_direct_credit, c.linear_credit,
       c.first_touch_credit * c.amount AS first_touch_revenue, c.last_touch_credit * c.amount AS last_touch_revenue,
       c.last_non_direct_credit * c.amount AS last_non_direct_revenue, c.linear_credit * c.amount AS linear_revenue
FROM credited AS c
{%- endcall %};
