-- Registrations per registration month, one series per default channel class.
{%- set classes = ['PAID_SEARCH', 'PAID_IMPRESSION', 'ORGANIC_SEARCH', 'DIRECT', 'OTHERS', 'UNATTRIBUTED'] %}
SELECT registration_month,
{%- for c in classes %}
       SUM(CASE WHEN channel_name = '{{ c }}' THEN registrations ELSE 0 END) AS {{ c | lower }},
{%- endfor %}
       SUM(CASE WHEN channel_name NOT IN ({{ string_literals(classes) }}) THEN registrations ELSE 0 END) AS other_rules
FROM {{ table(output_schema, 'mart_channel_attribution') }}
GROUP BY registration_month
ORDER BY registration_month
