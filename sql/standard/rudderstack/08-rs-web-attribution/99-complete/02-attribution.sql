-- The conversions whose row changed replace their stored rows (a removed one goes); every
-- conversion attributed again gets its touches anew; every conversion date touched is summed
-- again whole, per channel and currency: a conversion with no touch counts whole under '(none)'.
{%- set changed = table(scratch_schema, 'web_attr_conversions') %}
{%- set recompute = table(scratch_schema, 'web_attr_recompute') %}
{%- set dates = table(scratch_schema, 'web_attr_dates') %}
{%- set conversions = table(output_schema, 'web_conversions') %}
{%- set touches = table(output_schema, 'web_attribution_touches') %}
{%- set by_channel = table(output_schema, 'web_attribution_by_channel') %}
{{ delete_insert(conversions, ['conversion_id', 'order_id', 'anonymous_id', 'user_id', 'blended_user_id', 'converted_at',
                               'conversion_date', 'amount', 'currency'],
                 '(SELECT * FROM ' ~ changed ~ ' WHERE NOT removed) AS c', same_keys(conversions, changed, ['conversion_id'])) }};

{{ delete_insert(touches, ['conversion_id', 'order_id', 'blended_user_id', 'converted_at', 'session_id',
                           'session_start_tstamp', 'channel', 'touch_index', 'touches_in_path', 'first_touch_credit',
                           'last_touch_credit', 'last_non_direct_credit', 'linear_credit', 'first_touch_revenue',
                           'last_touch_revenue', 'last_non_direct_revenue', 'linear_revenue'],
                 table(scratch_schema, 'web_attr_touches') ~ ' AS t',
                 same_keys(touches, changed, ['conversion_id']) ~ ' OR '
                 ~ same_keys(touches, recompute, ['conversion_id'])) }};

{#- a credit or revenue column summed to the millionth; a conversion with no touch counts whole -#}
{%- macro summed(credit, whole) -%}
CAST(SUM(CASE WHEN t.conversion_id IS NULL THEN {{ whole }} ELSE t.{{ credit }} END) AS DECIMAL(38, 6)) AS {{ credit }}
{%- endmacro %}
{% set source -%}
(SELECT c.conversion_date, COALESCE(t.channel, '(none)') AS channel, c.currency, COUNT(t.conversion_id) AS touches,
        {%- for rule in ['first_touch', 'last_touch', 'last_non_direct', 'linear'] %}
        {{ summed(rule ~ '_credit', '1') }}, {{ summed(rule ~ '_revenue', 'c.amount') }}{{ ',' if not loop.last }}
        {%- endfor %}
 FROM {{ conversions }} AS c
 LEFT JOIN {{ touches }} AS t ON t.conversion_id = c.conversion_id
 WHERE c.conversion_date IN (SELECT d.conversion_date FROM {{ dates }} AS d)
 GROUP BY c.conversion_date, COALESCE(t.channel, '(none)'), c.currency) AS g
{%- endset %}
{{ delete_insert(by_channel, ['conversion_date', 'channel', 'currency', 'touches', 'first_touch_credit',
                              'first_touch_revenue', 'last_touch_credit', 'last_touch_revenue', 'last_non_direct_credit',
                              'last_non_direct_revenue', 'linear_credit', 'linear_revenue'],
                 source, 'conversion_date IN (SELECT d.conversion_date FROM ' ~ dates ~ ' AS d)') }};
