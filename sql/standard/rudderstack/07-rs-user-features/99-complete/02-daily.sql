-- rs_user_daily of each changed visitor from its earliest changed date, recomputed whole: its
-- tracks (dbt_mapped_tracks, with their channel) and sessions (dbt_session_tracks by start
-- date, with the length dbt_session_track_facts gives) as rs_sessions has them, and its rows
-- here. A date left with nothing loses its row.
{%- set daily = table(output_schema, 'rs_user_daily') %}
{%- set changed = table(scratch_schema, 'rs_features_changed') %}
{%- set mapped = table(output_schema, 'dbt_mapped_tracks') %}
{%- set sessions = table(output_schema, 'dbt_session_tracks') %}
{%- set session_facts = table(output_schema, 'dbt_session_track_facts') %}
{%- set ts = quote('timestamp') %}
{%- set exact = 'DECIMAL(18, 6)' %}
{%- set zero = 'CAST(NULL AS ' ~ exact ~ ')' %}
{% call replace_table(table(scratch_schema, 'rs_features_daily_part')) -%}
SELECT p.visitor_id, p.event_date, SUM(p.n_tracks) AS n_tracks, SUM(p.n_rows) AS n_rows,
       MAX(p.is_mobile) AS is_mobile, MAX(p.is_web) AS is_web, SUM(p.n_sessions) AS n_sessions,
       SUM(p.session_length_s) AS session_length_s, SUM(p.n_orders) AS n_orders, SUM(p.n_amounts) AS n_amounts,
       SUM(p.order_amount) AS order_amount, MAX(p.order_amount) AS max_order_amount,
       SUM(p.order_units) AS order_units, SUM(p.n_cart_adds) AS n_cart_adds
FROM (
{%- if columns(mapped) %}
  SELECT m.dbt_visitor_id AS visitor_id, {{ to_date('m.' ~ ts) }} AS event_date, 1 AS n_tracks, 0 AS n_rows,
         COALESCE(f.is_mobile, 0) AS is_mobile, COALESCE(f.is_web, 0) AS is_web, 0 AS n_sessions,
         CAST(0 AS {{ exact }}) AS session_length_s, 0 AS n_orders, 0 AS n_amounts, {{ zero }} AS order_amount,
         CAST(0 AS DOUBLE PRECISION) AS order_units, 0 AS n_cart_adds
  FROM {{ mapped }} AS m
  JOIN {{ changed }} AS c ON c.visitor_id = m.dbt_visitor_id AND m.{{ ts }} >= CAST(c.changed_from AS TIMESTAMP)
  LEFT JOIN {{ table(output_schema, 'rs_features_track_flags') }} AS f ON f.event_id = m.event_id
  WHERE m.event_type = 'track'
  UNION ALL
  SELECT st.dbt_visitor_id, {{ to_date('st.session_start_at') }}, 0, 0, 0, 0, 1,
         CAST({{ seconds_between('st.session_start_at', 'sf.ended_at') }} AS {{ exact }}), 0, 0, {{ zero }},
         CAST(0 AS DOUBLE PRECISION), 0
  FROM {{ sessions }} AS st
  JOIN {{ changed }} AS c ON c.visitor_id = st.dbt_visitor_id AND st.session_start_at >= CAST(c.changed_from AS TIMESTAMP)
  JOIN {{ session_facts }} AS sf ON sf.session_id = st.session_id
  UNION ALL
{%- endif %}
  SELECT r.visitor_id, r.event_date, 0 AS n_tracks, 1 AS n_rows, r.is_mobile, r.is_web, 0 AS n_sessions,
         CAST(0 AS {{ exact }}) AS session_length_s,
         CASE WHEN r.source_table = 'order_completed' THEN 1 ELSE 0 END AS n_orders,
         CASE WHEN r.source_table = 'order_completed' AND r.amount IS NOT NULL THEN 1 ELSE 0 END AS n_amounts,
         CASE WHEN r.source_table = 'order_completed' THEN CAST(r.amount AS {{ exact }}) END AS order_amount,
         CASE WHEN r.source_table = 'order_completed' THEN COALESCE(r.units, 0) ELSE 0 END AS order_units,
         CASE WHEN r.source_table = 'product_added' THEN 1 ELSE 0 END AS n_cart_adds
  FROM {{ table(output_schema, 'rs_features_rows') }} AS r
  JOIN {{ changed }} AS c ON c.visitor_id = r.visitor_id AND r.event_date >= c.changed_from
) AS p
GROUP BY p.visitor_id, p.event_date
{%- endcall %};

{{ delete_insert(daily, ['visitor_id', 'event_date', 'n_tracks', 'n_rows', 'is_mobile', 'is_web', 'n_sessions',
                         'session_length_s', 'n_orders', 'n_amounts', 'order_amount', 'max_order_amount',
                         'order_units', 'n_cart_adds'],
                 table(scratch_schema, 'rs_features_daily_part') ~ ' AS p',
                 rs_from_restart(daily, changed, 'event_date', key='visitor_id', restart='changed_from')) }};
