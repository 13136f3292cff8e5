-- Per user, the earliest time its attribution may have changed (the batches growth_dwh staged;
-- every user with a registration when the rules changed), and the registrations to redo: from
-- that time on (a session at t can only credit a registration at or after t). In seed mode a
-- user's claim spans all its registrations: all of them are redone.
{%- set facts = table(output_schema, 'fact_registrations') %}
{% call replace_table(table(scratch_schema, 'growth_mart_work')) -%}
SELECT w.user_id, MIN(w.affected_from) AS affected_from
FROM (
  SELECT user_id, affected_from FROM {{ unconsumed('growth_attribution_work_staged', 'w') }}
  UNION ALL
  SELECT r.user_id, {{ ts_literal('1970-01-01') }} FROM {{ facts }} AS r
  WHERE EXISTS (SELECT 1 FROM {{ table(scratch_schema, 'growth_mart_rules_changed') }})
) AS w
GROUP BY w.user_id
{%- endcall %};

{% call replace_table(table(scratch_schema, 'growth_mart_registrations')) -%}
SELECT r.registration_sk, r.user_sk, r.user_id, r.registration_time,
       {{ to_date(date_trunc('month', 'r.registration_time')) }} AS registration_month
FROM {{ facts }} AS r
JOIN {{ table(scratch_schema, 'growth_mart_work') }} AS w ON w.user_id = r.user_id
{%- if attribution_mode != 'seed' %}
WHERE r.registration_time >= w.affected_from
{%- endif %}
{%- endcall %};
