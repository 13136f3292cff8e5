-- The rules this run applies, in one shape: `live` rules (attribution_rules, or the seed's
-- fixed classes), the `direct` mediums, and the `mode`.
{%- set seed_classes = [('PAID_SEARCH', 'PAID SEARCH', 3, 1), ('PAID_IMPRESSION', 'IMPRESSION', 1, 2),
                        ('ORGANIC_SEARCH', 'ORGANIC SEARCH', 12, 3), ('DIRECT', 'DIRECT', none, 4)] %}
{% call replace_table(table(scratch_schema, 'growth_mart_rules_this_run')) -%}
SELECT CAST('mode' AS VARCHAR(16)) AS rule_kind, CAST('{{ attribution_mode }}' AS {{ column_type('string') }}) AS channel_name,
       CAST(NULL AS {{ column_type('string') }}) AS medium, CAST(NULL AS DECIMAL(12, 4)) AS window_hours,
       CAST(NULL AS INTEGER) AS priority
{%- if attribution_mode == 'seed' %}
{%- for channel, medium, hours, priority in seed_classes %}
UNION ALL
SELECT 'live', '{{ channel }}', '{{ medium }}', {{ 'CAST(NULL AS DECIMAL(12, 4))' if hours is none else hours }}, {{ priority }}
{%- endfor %}
{%- else %}
UNION ALL
SELECT 'live', r.channel_name, r.medium, r.window_hours, r.priority FROM {{ table(output_schema, 'attribution_rules') }} AS r
{%- for medium in direct_mediums %}
UNION ALL
SELECT 'direct', 'DIRECT', {{ string_literals([medium]) }}, NULL, NULL
{%- endfor %}
{%- endif %}
{%- endcall %};

-- One row when they differ from the rules the last run applied: every registration is redone.
{%- set applied = table(output_schema, 'growth_rules_applied') %}
{%- set this_run = table(scratch_schema, 'growth_mart_rules_this_run') %}
{% call replace_table(table(scratch_schema, 'growth_mart_rules_changed')) -%}
SELECT COUNT(*) AS differences
FROM (
  (SELECT rule_kind, channel_name, medium, window_hours, priority FROM {{ this_run }}
   EXCEPT SELECT rule_kind, channel_name, medium, window_hours, priority FROM {{ applied }})
  UNION ALL
  (SELECT rule_kind, channel_name, medium, window_hours, priority FROM {{ applied }}
   EXCEPT SELECT rule_kind, channel_name, medium, window_hours, priority FROM {{ this_run }})
) AS d
HAVING COUNT(*) > 0
{%- endcall %};
