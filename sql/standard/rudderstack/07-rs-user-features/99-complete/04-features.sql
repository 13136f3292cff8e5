-- Every feature of each pair, D being the pair's snapshot date; only data
-- dated D or before counts; "past n days" is the n dates D-n+1 ... D. In parts, each over a
-- compact table: sums per day (rs_user_daily), then what does not sum (distinct orders and
-- carts, the median and the latest order, latest traits, sorted lists, the top categories).
-- One string aggregation per statement: Redshift refuses two sort-based aggregates with
-- different orders in one.
{%- set pairs = table(scratch_schema, 'rs_features_pairs') %}
{%- set daily = table(output_schema, 'rs_user_daily') %}
{%- set rows = table(output_schema, 'rs_features_rows') %}
{%- set lines = table(output_schema, 'rs_features_order_lines') %}
{%- set pair_key = 'visitor_id, snapshot_date' %}
{%- set days = lookback_days | map('int') | list %}
{% call replace_table(table(scratch_schema, 'rs_features_daily_sums')) -%}
SELECT p.visitor_id, p.snapshot_date,
       MAX(CASE WHEN u.n_tracks > 0 THEN u.event_date END) AS last_seen,
       MAX(CASE WHEN u.n_orders > 0 THEN u.event_date END) AS last_order,
       MAX(CASE WHEN u.n_cart_adds > 0 THEN u.event_date END) AS last_cart_add,
       MAX(u.is_mobile) AS is_mobile, MAX(u.is_web) AS is_web,
{%- for d in days %}
       COUNT(CASE WHEN u.n_tracks > 0 AND u.event_date > {{ rs_days_before('p.snapshot_date', d) }} THEN 1 END) AS active_days_{{ d }},
       SUM(CASE WHEN u.event_date > {{ rs_days_before('p.snapshot_date', d) }} THEN u.order_amount END) AS amount_{{ d }},
{%- endfor %}
       SUM(u.n_sessions) AS n_sessions, SUM(u.session_length_s) AS session_length_s,
       SUM(CASE WHEN u.event_date > {{ rs_days_before('p.snapshot_date', 7) }} THEN u.n_sessions ELSE 0 END) AS n_sessions_week,
       SUM(CASE WHEN u.event_date > {{ rs_days_before('p.snapshot_date', 7) }} THEN u.session_length_s ELSE 0 END) AS session_length_week,
       SUM(u.order_amount) AS order_amount, SUM(u.n_amounts) AS n_amounts, SUM(u.order_units) AS order_units,
       SUM(u.n_orders) AS n_orders, MAX(u.max_order_amount) AS max_order_amount, SUM(u.n_cart_adds) AS n_cart_adds
FROM {{ pairs }} AS p
JOIN {{ daily }} AS u ON u.visitor_id = p.visitor_id AND u.event_date <= p.snapshot_date
GROUP BY p.visitor_id, p.snapshot_date
{%- endcall %};

-- The rows of each pair up to its date, for the parts that do not sum per day.
{% call replace_table(table(scratch_schema, 'rs_features_pair_rows')) -%}
SELECT p.snapshot_date, r.*
FROM {{ pairs }} AS p
JOIN {{ rows }} AS r ON r.visitor_id = p.visitor_id AND r.event_date <= p.snapshot_date
{%- endcall %};
{%- set pair_rows = table(scratch_schema, 'rs_features_pair_rows') %}

{% call replace_table(table(scratch_schema, 'rs_features_counts')) -%}
SELECT r.visitor_id, r.snapshot_date,
{%- for d in days %}
       COUNT(DISTINCT CASE WHEN r.source_table = 'order_completed' AND r.event_date > {{ rs_days_before('r.snapshot_date', d) }}
                           THEN r.order_id END) AS transactions_{{ d }},
       COUNT(DISTINCT CASE WHEN r.source_table = 'product_added' AND r.event_date > {{ rs_days_before('r.snapshot_date', d) }}
                           THEN r.cart_id END) AS carts_{{ d }},
{%- endfor %}
       COUNT(DISTINCT CASE WHEN r.source_table = 'order_completed' THEN r.order_id END) AS total_transactions,
       COUNT(DISTINCT CASE WHEN r.source_table = 'product_added' THEN r.cart_id END) AS total_carts,
       MAX(CASE WHEN r.source_table = 'checkout_step_completed'
                 AND LOWER(TRIM(r.payment_method)) IN ({{ string_literals(card_types) }}) THEN 1 ELSE 0 END) AS has_credit_card,
       MIN(CASE WHEN r.source_table = 'identifies' THEN r.event_date END) AS first_identify_date
FROM {{ pair_rows }} AS r
GROUP BY r.visitor_id, r.snapshot_date
{%- endcall %};

-- The median order amount (the middle one, or the mean of the middle two) and the latest.
{% call replace_table(table(scratch_schema, 'rs_features_orders_part')) -%}
WITH amounts AS (
  SELECT r.visitor_id, r.snapshot_date, r.amount,
         ROW_NUMBER() OVER (PARTITION BY r.visitor_id, r.snapshot_date ORDER BY r.amount, r.event_id) AS position,
         COUNT(*) OVER (PARTITION BY r.visitor_id, r.snapshot_date) AS n
  FROM {{ pair_rows }} AS r
  WHERE r.source_table = 'order_completed' AND r.amount IS NOT NULL
),
medians AS (
  SELECT visitor_id, snapshot_date, AVG(amount) AS median_amount
  FROM amounts
  WHERE position IN (FLOOR((n + 1) / 2.0), FLOOR((n + 2) / 2.0))
  GROUP BY visitor_id, snapshot_date
)
SELECT m.visitor_id, m.snapshot_date, m.median_amount, l.amount AS last_amount
FROM medians AS m
JOIN {{ first_per('(SELECT visitor_id, snapshot_date, amount, event_tstamp, event_id FROM ' ~ pair_rows
                  ~ " WHERE source_table = 'order_completed' AND amount IS NOT NULL)", pair_key,
                  'event_tstamp DESC, event_id DESC') }} AS l
  ON l.visitor_id = m.visitor_id AND l.snapshot_date = m.snapshot_date
{%- endcall %};

-- Each trait's latest non-null value among the identifies (ties to the larger event id).
{%- set traits = ['gender', 'country', 'state', 'email_domain', 'birthday', 'created_at'] %}
{% call replace_table(table(scratch_schema, 'rs_features_traits_part')) -%}
SELECT p.visitor_id, p.snapshot_date{% for t in traits %}, t_{{ t }}.{{ t }}{% endfor %}
FROM {{ pairs }} AS p
{%- for t in traits %}
LEFT JOIN {{ first_per('(SELECT r.visitor_id, r.snapshot_date, r.event_tstamp, r.event_id, r.' ~ t ~ ' FROM ' ~ pair_rows
                       ~ " AS r WHERE r.source_table = 'identifies' AND r." ~ t ~ ' IS NOT NULL)', pair_key,
                       'event_tstamp DESC, event_id DESC') }} AS t_{{ t }}
  ON t_{{ t }}.visitor_id = p.visitor_id AND t_{{ t }}.snapshot_date = p.snapshot_date
{%- endfor %}
{%- endcall %};

-- The list features, one row per pair and feature: its distinct values as a sorted JSON
-- array, and how many there are.
{% call replace_table(table(scratch_schema, 'rs_features_lists_part')) -%}
SELECT v.visitor_id, v.snapshot_date, v.feature_name, {{ rs_json_array('v.value') }} AS value_json,
       COUNT(*) AS n_values
FROM (
  SELECT DISTINCT visitor_id, snapshot_date, feature_name, value FROM (
{%- if 'identifies' in campaign_source_tables %}
    SELECT r.visitor_id, r.snapshot_date, 'campaign_sources' AS feature_name, r.campaign_source AS value
    FROM {{ pair_rows }} AS r WHERE r.source_table = 'identifies' AND r.campaign_source IS NOT NULL
    UNION ALL
{%- endif %}
{%- if 'tracks' in campaign_source_tables %}
    SELECT p.visitor_id, p.snapshot_date, 'campaign_sources', f.campaign_source
    FROM {{ pairs }} AS p
    JOIN {{ table(output_schema, 'dbt_mapped_tracks') }} AS m
      ON m.dbt_visitor_id = p.visitor_id AND m.{{ quote('timestamp') }} < CAST({{ dateadd('day', 1, 'p.snapshot_date') }} AS TIMESTAMP)
    JOIN {{ table(output_schema, 'rs_features_track_flags') }} AS f ON f.event_id = m.event_id
    WHERE m.event_type = 'track' AND f.campaign_source IS NOT NULL
    UNION ALL
{%- endif %}
    SELECT r.visitor_id, r.snapshot_date, 'payment_modes', r.payment_method
    FROM {{ pair_rows }} AS r
    WHERE r.source_table = 'checkout_step_completed' AND r.payment_method IS NOT NULL AND r.payment_method <> ''
{%- for d in days %}
    UNION ALL
    SELECT r.visitor_id, r.snapshot_date, 'products_added_in_past_{{ d }}_days', r.product_ref
    FROM {{ pair_rows }} AS r
    WHERE r.source_table = 'product_added' AND r.product_ref IS NOT NULL
      AND r.event_date > {{ rs_days_before('r.snapshot_date', d) }}
{%- endfor %}
    UNION ALL
    SELECT r.visitor_id, r.snapshot_date, 'items_purchased_ever', l.product_ref
    FROM {{ pair_rows }} AS r JOIN {{ lines }} AS l ON l.event_id = r.event_id
    WHERE r.source_table = 'order_completed' AND l.product_ref IS NOT NULL
    UNION ALL
    SELECT r.visitor_id, r.snapshot_date, 'categories_purchased_ever', l.category_ref
    FROM {{ pair_rows }} AS r JOIN {{ lines }} AS l ON l.event_id = r.event_id
    WHERE r.source_table = 'order_completed' AND l.category_ref IS NOT NULL
  ) AS listed
) AS v
GROUP BY v.visitor_id, v.snapshot_date, v.feature_name
{%- endcall %};

-- The category with the largest spend (price x quantity, summed exactly to the millionth) and
-- the one in the most distinct orders; ties go to the smallest name.
{% call replace_table(table(scratch_schema, 'rs_features_categories_part')) -%}
WITH per_category AS (
  SELECT r.visitor_id, r.snapshot_date, l.category_ref AS category, SUM(CAST(l.line_amount AS DECIMAL(18, 6))) AS spent,
         COUNT(DISTINCT r.order_id) AS orders
  FROM {{ pair_rows }} AS r JOIN {{ lines }} AS l ON l.event_id = r.event_id
  WHERE r.source_table = 'order_completed' AND l.category_ref IS NOT NULL
  GROUP BY r.visitor_id, r.snapshot_date, l.category_ref
)
SELECT s.visitor_id, s.snapshot_date, s.category AS highest_spent_category, o.category AS highest_transacted_category
FROM {{ first_per('per_category', pair_key, 'spent DESC NULLS LAST, ' ~ binary_text('category')) }} AS s
JOIN {{ first_per('per_category', pair_key, 'orders DESC, ' ~ binary_text('category')) }} AS o
  ON o.visitor_id = s.visitor_id AND o.snapshot_date = s.snapshot_date
{%- endcall %};

-- One wide row per pair whose visitor has data up to its date.
{%- set numeric = 'AS DOUBLE PRECISION)' %}
{%- set lists = table(scratch_schema, 'rs_features_lists_part') %}
{% call replace_table(table(scratch_schema, 'rs_user_features_this_run')) -%}
SELECT s.visitor_id AS dbt_visitor_id, s.snapshot_date,
       CAST({{ rs_age_years('t.birthday', 's.snapshot_date') }} {{ numeric }} AS age_in_years,
       CAST(s.is_mobile {{ numeric }} AS has_mobile_app,
       CAST(s.is_web {{ numeric }} AS is_active_on_website,
       CAST({{ rs_days('COALESCE(t.created_at, c.first_identify_date)', 's.snapshot_date') }} {{ numeric }}
         AS days_since_account_creation,
       CAST({{ rs_days('s.last_seen', 's.snapshot_date') }} {{ numeric }} AS days_since_last_seen,
{%- for d in days %}
       CAST(CASE WHEN {{ rs_days('s.last_seen', 's.snapshot_date') }} > {{ d }} THEN 1
                 WHEN s.last_seen IS NOT NULL THEN 0 END {{ numeric }} AS is_churned_{{ d }}_days,
       CAST(s.active_days_{{ d }} {{ numeric }} AS active_days_in_past_{{ d }}_days,
       CAST(COALESCE(s.amount_{{ d }}, 0) {{ numeric }} AS amt_spent_in_past_{{ d }}_days,
       CAST(COALESCE(c.transactions_{{ d }}, 0) {{ numeric }} AS transactions_in_past_{{ d }}_days,
       CAST(COALESCE(c.carts_{{ d }}, 0) {{ numeric }} AS carts_in_past_{{ d }}_days,
       CAST(p{{ d }}.value_json AS {{ string_type() }}) AS products_added_in_past_{{ d }}_days,
{%- endfor %}
       CAST(s.n_sessions {{ numeric }} AS n_sessions_overall,
       CAST(s.session_length_s {{ numeric }} / NULLIF(s.n_sessions, 0) AS avg_session_length_overall,
       CAST(s.n_sessions_week {{ numeric }} AS n_sessions_last_week,
       CAST(s.session_length_week {{ numeric }} / NULLIF(s.n_sessions_week, 0) AS avg_session_length_last_week,
       CAST(COALESCE(s.order_amount, 0) {{ numeric }} AS total_amt_spent,
       CAST(o.last_amount {{ numeric }} AS last_transaction_value,
       CAST(s.order_amount {{ numeric }} / NULLIF(s.n_amounts, 0) AS average_transaction_value,
       s.order_units / NULLIF(s.n_orders, 0) AS average_units_per_transaction,
       CAST(o.median_amount {{ numeric }} AS median_transaction_value,
       CAST(s.max_order_amount {{ numeric }} AS highest_transaction_value,
       CAST({{ rs_days('s.last_order', 's.snapshot_date') }} {{ numeric }} AS days_since_last_purchase,
       CAST(COALESCE(c.total_transactions, 0) {{ numeric }} AS total_transactions,
       CAST(COALESCE(c.has_credit_card, 0) {{ numeric }} AS has_credit_card,
       CAST(COALESCE(c.total_carts, 0) {{ numeric }} AS total_carts,
       CAST(s.n_cart_adds {{ numeric }} AS total_products_added_to_cart,
       CAST({{ rs_days('s.last_cart_add', 's.snapshot_date') }} {{ numeric }} AS days_since_last_cart_add,
       t.gender, t.country, t.state, t.email_domain,
       g.highest_spent_category, g.highest_transacted_category,
       CAST(cs.value_json AS {{ string_type() }}) AS campaign_sources,
       CAST(pm.value_json AS {{ string_type() }}) AS payment_modes,
       CAST(CASE WHEN it.n_values <= {{ number(max_list_size) }} THEN it.value_json END AS {{ string_type() }})
         AS items_purchased_ever,
       CAST(CASE WHEN ct.n_values <= {{ number(max_list_size) }} THEN ct.value_json END AS {{ string_type() }})
         AS categories_purchased_ever
FROM {{ table(scratch_schema, 'rs_features_daily_sums') }} AS s
LEFT JOIN {{ table(scratch_schema, 'rs_features_counts') }} AS c
  ON c.visitor_id = s.visitor_id AND c.snapshot_date = s.snapshot_date
LEFT JOIN {{ table(scratch_schema, 'rs_features_orders_part') }} AS o
  ON o.visitor_id = s.visitor_id AND o.snapshot_date = s.snapshot_date
LEFT JOIN {{ table(scratch_schema, 'rs_features_traits_part') }} AS t
  ON t.visitor_id = s.visitor_id AND t.snapshot_date = s.snapshot_date
LEFT JOIN {{ table(scratch_schema, 'rs_features_categories_part') }} AS g
  ON g.visitor_id = s.visitor_id AND g.snapshot_date = s.snapshot_date
{%- set list_joins = [('cs', 'campaign_sources'), ('pm', 'payment_modes'), ('it', 'items_purchased_ever'),
                      ('ct', 'categories_purchased_ever')] %}
{%- for d in days %}{% set _ = list_joins.append(('p' ~ d, 'products_added_in_past_' ~ d ~ '_days')) %}{% endfor %}
{%- for alias, name in list_joins %}
LEFT JOIN {{ lists }} AS {{ alias }}
  ON {{ alias }}.visitor_id = s.visitor_id AND {{ alias }}.snapshot_date = s.snapshot_date AND {{ alias }}.feature_name = '{{ name }}'
{%- endfor %}
{%- endcall %};
