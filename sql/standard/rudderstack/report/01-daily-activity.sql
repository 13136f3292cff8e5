-- Daily active visitors and sessions started, per date of rs_daily_metrics.
{%- set day = quote('date') %}
SELECT {{ day }} AS report_date, dau, total_sessions AS sessions
FROM {{ table(output_schema, 'rs_daily_metrics') }}
ORDER BY {{ day }}
