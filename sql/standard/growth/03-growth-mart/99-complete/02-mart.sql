-- Every month a redone registration falls in, recomputed whole from the attribution fact
-- (idempotent: no build time in the grain).
{%- set months = table(scratch_schema, 'growth_mart_months') %}
{{ delete_insert(table(output_schema, 'mart_channel_attribution'),
                 ['registration_month', 'channel_name', 'registrations', 'avg_hours_to_convert', 'share_of_month'],
                 '(SELECT f.registration_month, f.channel_name, COUNT(*) AS registrations, '
                 ~ 'CAST(AVG(f.hours_to_convert) AS DECIMAL(18, 6)) AS avg_hours_to_convert, '
                 ~ 'CAST(COUNT(*) AS DOUBLE PRECISION) / SUM(COUNT(*)) OVER (PARTITION BY f.registration_month) '
                 ~ 'AS share_of_month FROM ' ~ table(output_schema, 'fact_registration_attribution') ~ ' AS f '
                 ~ 'WHERE f.registration_month IN (SELECT registration_month FROM ' ~ months ~ ') '
                 ~ 'GROUP BY f.registration_month, f.channel_name) AS m',
                 'registration_month IN (SELECT registration_month FROM ' ~ months ~ ')') }};
