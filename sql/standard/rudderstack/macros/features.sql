{#- rs_user_features' shared SQL. -#}

{#- The features, in the wide table's column order (numeric, then string, then array), each a
    (name, type) pair; `lookback_days` multiplies the windowed ones. Rendered per `mode`:
    `names` (a comma list), `ddl` (the wide table's columns), `long` (the wide rows of `source`
    unpivoted for the long table, a row per feature with exactly one value column set). -#}
{% macro default__rs_features(lookback_days, mode, source='') -%}
{%- set n = [] -%}
{%- for name in ['age_in_years', 'has_mobile_app', 'is_active_on_website', 'days_since_account_creation',
                 'days_since_last_seen'] %}{% set _ = n.append((name, 'numeric')) %}{% endfor -%}
{%- for d in lookback_days %}{% set _ = n.append(('is_churned_' ~ number(d) ~ '_days', 'numeric')) %}{% endfor -%}
{%- for d in lookback_days %}{% set _ = n.append(('active_days_in_past_' ~ number(d) ~ '_days', 'numeric')) %}{% endfor -%}
{%- for name in ['n_sessions_overall', 'avg_session_length_overall', 'n_sessions_last_week',
                 'avg_session_length_last_week'] %}{% set _ = n.append((name, 'numeric')) %}{% endfor -%}
{%- for d in lookback_days %}{% set _ = n.append(('amt_spent_in_past_' ~ number(d) ~ '_days', 'numeric')) %}{% endfor -%}
{%- for name in ['total_amt_spent', 'last_transaction_value', 'average_transaction_value',
                 'average_units_per_transaction', 'median_transaction_value', 'highest_transaction_value',
                 'days_since_last_purchase'] %}{% set _ = n.append((name, 'numeric')) %}{% endfor -%}
{%- for d in lookback_days %}{% set _ = n.append(('transactions_in_past_' ~ number(d) ~ '_days', 'numeric')) %}{% endfor -%}
{%- for name in ['total_transactions', 'has_credit_card'] %}{% set _ = n.append((name, 'numeric')) %}{% endfor -%}
{%- for d in lookback_days %}{% set _ = n.append(('carts_in_past_' ~ number(d) ~ '_days', 'numeric')) %}{% endfor -%}
{%- for name in ['total_carts', 'total_products_added_to_cart', 'days_since_last_cart_add'] %}{% set _ = n.append((name, 'numeric')) %}{% endfor -%}
{%- for name in ['gender', 'country', 'state', 'email_domain', 'highest_spent_category',
                 'highest_transacted_category'] %}{% set _ = n.append((name, 'string')) %}{% endfor -%}
{%- for name in ['campaign_sources', 'payment_modes'] %}{% set _ = n.append((name, 'array')) %}{% endfor -%}
{%- for d in lookback_days %}{% set _ = n.append(('products_added_in_past_' ~ number(d) ~ '_days', 'array')) %}{% endfor -%}
{%- for name in ['items_purchased_ever', 'categories_purchased_ever'] %}{% set _ = n.append((name, 'array')) %}{% endfor -%}
{%- set types = {'numeric': 'DOUBLE PRECISION', 'string': column_type('string'), 'array': string_type()} -%}
{%- if mode == 'long' -%}
{%- set entries = [] -%}
{%- for name, kind in n -%}
{%- set values = [] -%}
{%- for k in ['numeric', 'string', 'array'] %}{% set _ = values.append('w.' ~ name if kind == k else 'CAST(NULL AS ' ~ types[k] ~ ')') %}{% endfor -%}
{%- set _ = entries.append(["CAST('" ~ name ~ "' AS VARCHAR(64))"] + values + ["CAST('" ~ kind ~ "' AS VARCHAR(8))"]) -%}
{%- endfor -%}
{{ unpivot(source ~ ' AS w', ['w.dbt_visitor_id', 'w.snapshot_date'],
           ['feature_name', 'feature_value_numeric', 'feature_value_string', 'feature_value_array', 'feature_type'],
           entries) }}
{%- else -%}
{%- for name, kind in n -%}
{%- if mode == 'names' -%}
{{ name }}{{ ', ' if not loop.last }}
{%- elif mode == 'ddl' -%}
  {{ name }} {{ types[kind] }}{{ ',' if not loop.last }}
{% else -%}
{{ fail("rs_features: unknown mode '" ~ mode ~ "'") }}
{%- endif -%}
{%- endfor -%}
{%- endif -%}
{%- endmacro %}

{#- Whether a call came from a mobile app (channel mobile, or an Android or iOS device or OS),
    and from a website (channel web, or the template data's device types ending in 'pc'), 0/1. -#}
{% macro default__rs_is_mobile(channel, device_type, os_name) -%}
CASE WHEN {{ channel }} = 'mobile' OR LOWER({{ device_type }}) IN ('android', 'ios')
       OR LOWER({{ os_name }}) IN ('android', 'ios') THEN 1 ELSE 0 END
{%- endmacro %}

{% macro default__rs_is_web(channel, device_type) -%}
CASE WHEN {{ channel }} = 'web' OR LOWER({{ device_type }}) LIKE '%pc' THEN 1 ELSE 0 END
{%- endmacro %}

{#- Distinct text values as a sorted JSON array text ('["a","b"]'), over rows already distinct:
    the same text on every warehouse (values sorted by their bytes). -#}
{% macro default__rs_json_array(value) -%}
('[' || {{ string_agg(json_quote(value), "','", binary_text(value)) }} || ']')
{%- endmacro %}

{#- The whole days from `earlier` to `later`, two DATEs. -#}
{% macro default__rs_days(earlier, later) -%}
{{ datediff('day', earlier, later) }}
{%- endmacro %}

{#- Whole years from `born` to `day` (one less while the anniversary is still to come). -#}
{% macro default__rs_age_years(born, day) -%}
(EXTRACT(YEAR FROM {{ day }}) - EXTRACT(YEAR FROM {{ born }})
 - CASE WHEN EXTRACT(MONTH FROM {{ day }}) * 100 + EXTRACT(DAY FROM {{ day }})
           < EXTRACT(MONTH FROM {{ born }}) * 100 + EXTRACT(DAY FROM {{ born }}) THEN 1 ELSE 0 END)
{%- endmacro %}

{#- A date `days` before `day` (a DATE), as a DATE. -#}
{% macro default__rs_days_before(day, days) -%}
CAST({{ dateadd('day', -number(days), day) }} AS DATE)
{%- endmacro %}
