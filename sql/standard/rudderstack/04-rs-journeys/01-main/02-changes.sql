-- Each visitor whose sessions changed since this module's last run, from its earliest restart.
{% call replace_table(table(scratch_schema, 'rs_journeys_changes')) -%}
SELECT c.dbt_visitor_id, MIN(c.restart_at) AS restart_at
FROM {{ unconsumed('rs_session_changes_staged', 'c') }}
GROUP BY c.dbt_visitor_id
{%- endcall %};
