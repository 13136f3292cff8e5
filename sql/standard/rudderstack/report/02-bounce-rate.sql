-- The share of each date's sessions that bounced (NULL on a date with activity but no session start).
{%- set day = quote('date') %}
SELECT {{ day }} AS report_date, bounce_rate
FROM {{ table(output_schema, 'rs_daily_metrics') }}
ORDER BY {{ day }}
