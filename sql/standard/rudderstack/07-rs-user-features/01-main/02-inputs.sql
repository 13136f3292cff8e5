-- What the unconsumed batches bring (each id from the newest batch holding it): each track's
-- channel; each identify and e-commerce row in this module's shape (traits, cart, product and
-- payment method from rs_event_properties_staged; orders from rs_orders_staged, the copy
-- rs_web_attribution reads too, tagged 'order_completed' whatever order_sources names) and each
-- order's lines; the ids remapped; the visitors whose tracks and sessions rs_sessions rewrote,
-- from when. An order brings no channel of its own: RudderStack writes its tracks row under the
-- same id with the same context, and that row counts (rs_features_track_flags). A staged table
-- its producer has not created yet has no batch to read.
{%- set string = column_type('string') %}
{%- set props_in = table(scratch_schema, 'rs_features_props_in') %}
{%- set product_column = {'name': 'product_name'}.get(product_ref_var, product_ref_var) %}
{%- set other_amount = 'revenue' if order_amount_column == 'total' else 'total' %}
{% call replace_table(table(scratch_schema, 'rs_features_flags_in')) -%}
{%- set staged_events = unconsumed('rs_events_staged', 'e', newest_per='event_id', if_created=true) %}
{%- if staged_events %}
SELECT e.event_id, e.excluded,
       {{ rs_is_mobile('e.channel', 'e.device_type', 'e.os_name') }} AS is_mobile,
       {{ rs_is_web('e.channel', 'e.device_type') }} AS is_web,
       NULLIF(e.campaign_source, '') AS campaign_source
FROM {{ staged_events }}
WHERE e.event_type = 'track'
{%- else %}
SELECT CAST(NULL AS {{ string }}) AS event_id, FALSE AS excluded, 0 AS is_mobile, 0 AS is_web,
       CAST(NULL AS {{ string }}) AS campaign_source
WHERE 1 = 0
{%- endif %}
{%- endcall %};

{% call replace_table(props_in) -%}
SELECT CAST(NULL AS VARCHAR(32)) AS source_table, CAST(NULL AS {{ string }}) AS event_id,
       CAST(NULL AS {{ string }}) AS anonymous_id, CAST(NULL AS {{ string }}) AS user_id,
       CAST(NULL AS TIMESTAMP) AS event_tstamp, CAST(NULL AS DATE) AS event_date, 0 AS is_mobile, 0 AS is_web,
       CAST(NULL AS {{ string }}) AS campaign_source, CAST(NULL AS {{ string }}) AS email_domain,
       CAST(NULL AS {{ string }}) AS gender, CAST(NULL AS DATE) AS birthday, CAST(NULL AS {{ string }}) AS country,
       CAST(NULL AS {{ string }}) AS state, CAST(NULL AS DATE) AS created_at, CAST(NULL AS {{ string }}) AS cart_id,
       CAST(NULL AS {{ string }}) AS product_ref, CAST(NULL AS {{ string }}) AS payment_method,
       CAST(NULL AS {{ string }}) AS order_id, CAST(NULL AS DOUBLE PRECISION) AS amount,
       CAST(NULL AS {{ string_type() }}) AS products, CAST(NULL AS {{ string }}) AS currency, FALSE AS excluded
WHERE 1 = 0
{%- set staged_properties = unconsumed('rs_event_properties_staged', 'p', newest_per='event_id', if_created=true) %}
{%- if staged_properties %}
UNION ALL
SELECT p.source_table, p.event_id, p.anonymous_id, p.user_id, p.event_tstamp, {{ to_date('p.event_tstamp') }},
       {{ rs_is_mobile('p.channel', 'p.device_type', 'p.os_name') }},
       {{ rs_is_web('p.channel', 'p.device_type') }},
       NULLIF(p.campaign_source, ''),
       CASE WHEN POSITION('@' IN p.email) > 0 THEN LOWER(SUBSTRING(p.email FROM POSITION('@' IN p.email) + 1)) END,
       p.gender, CAST(p.birthday AS DATE), p.country, p.state, CAST(p.created_at AS DATE),
       p.cart_id, CASE WHEN p.source_table = 'product_added' THEN p.{{ product_column }} END,
       p.payment_method, CAST(NULL AS {{ string }}), CAST(NULL AS DOUBLE PRECISION),
       CAST(NULL AS {{ string_type() }}), CAST(NULL AS {{ string }}), p.excluded
FROM {{ staged_properties }}
{%- endif %}
{%- set staged_orders = unconsumed('rs_orders_staged', 'o', newest_per='event_id', if_created=true) %}
{%- if staged_orders %}
UNION ALL
SELECT CAST('order_completed' AS VARCHAR(32)), o.event_id, o.anonymous_id, o.user_id, o.event_tstamp,
       {{ to_date('o.event_tstamp') }}, 0, 0, CAST(NULL AS {{ string }}), CAST(NULL AS {{ string }}),
       CAST(NULL AS {{ string }}), CAST(NULL AS DATE), CAST(NULL AS {{ string }}), CAST(NULL AS {{ string }}),
       CAST(NULL AS DATE), CAST(NULL AS {{ string }}), CAST(NULL AS {{ string }}), CAST(NULL AS {{ string }}),
       o.order_id, COALESCE(o.{{ order_amount_column }}, o.{{ other_amount }}), o.products_json,
       NULLIF(UPPER(TRIM(o.currency)), ''), o.excluded
FROM {{ staged_orders }}
{%- endif %}
{%- endcall %};

-- Each order's lines from its products JSON, the first max_products_per_order of them; a
-- missing quantity counts 1.
{% call replace_table(table(scratch_schema, 'rs_features_lines_in')) -%}
SELECT l.event_id, l.line_no, l.product_ref, l.category_ref, l.quantity, l.price * l.quantity AS line_amount
FROM (
  SELECT o.event_id, series.line_no AS line_no,
         {{ json_extract_text(json_array_element_text('o.products', 'series.line_no'), product_ref_var) }} AS product_ref,
         {{ json_extract_text(json_array_element_text('o.products', 'series.line_no'), category_ref_var) }} AS category_ref,
         COALESCE(CAST({{ json_extract_text(json_array_element_text('o.products', 'series.line_no'), 'quantity') }}
                       AS DOUBLE PRECISION), 1) AS quantity,
         CAST({{ json_extract_text(json_array_element_text('o.products', 'series.line_no'), 'price') }} AS DOUBLE PRECISION)
           AS price
  FROM {{ props_in }} AS o
  CROSS JOIN {{ series('line_no', 0, number(max_products_per_order) - 1) }}
  WHERE o.source_table = 'order_completed' AND NOT o.excluded AND o.products IS NOT NULL
    AND series.line_no < {{ json_array_length('o.products') }}
) AS l
{%- endcall %};

-- The lines beyond max_products_per_order, ignored: how many per order, counted in the run's
-- datamodel_metadata.rows_dropped.
{% call replace_table(table(scratch_schema, 'rs_features_lines_dropped')) -%}
SELECT o.event_id, {{ json_array_length('o.products') }} - {{ number(max_products_per_order) }} AS rows_dropped
FROM {{ props_in }} AS o
WHERE o.source_table = 'order_completed' AND NOT o.excluded AND o.products IS NOT NULL
  AND {{ json_array_length('o.products') }} > {{ number(max_products_per_order) }}
{%- endcall %};

{% call replace_table(table(scratch_schema, 'rs_features_remapped')) -%}
{{ rs_remapped_aliases(unconsumed('rs_remaps_staged', if_created=true)) }}
{%- endcall %};

{% call replace_table(table(scratch_schema, 'rs_features_session_changes')) -%}
{{ rs_session_restarts(unconsumed('rs_session_changes_staged', if_created=true)) }}
{%- endcall %};
