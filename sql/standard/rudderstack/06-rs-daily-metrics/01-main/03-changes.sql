-- The visitors rs_activity_sessions rewrote since this module's last run, each from its
-- earliest restart point; their events from there as rs_activity_track_facts has them now
-- (with their user key, date and session key); and this module's rows those replace: every
-- row of those visitors from their restart points, and any other row of an event written now
-- (an event the sessionizer moved in a batch this run does not read yet).
{%- set string = column_type('string') %}
{%- set changes = table(scratch_schema, 'rs_daily_metrics_changes') %}
{%- set new_rows = table(scratch_schema, 'rs_daily_metrics_events_this_run') %}
{%- set events = table(output_schema, 'rs_metrics_events') %}
{%- set facts = table(output_schema, 'rs_activity_track_facts') %}
{%- set ts = quote('timestamp') %}
{% call replace_table(changes) -%}
{{ rs_session_restarts(unconsumed('rs_activity_session_changes_staged', if_created=true)) }}
{%- endcall %};

{% call replace_table(new_rows) -%}
{%- if columns(facts) %}
SELECT f.event_id, f.dbt_visitor_id AS visitor_id, f.anonymous_id,
       {{ 'f.dbt_visitor_id' if metrics_user_key == 'visitor' else 'f.anonymous_id' }} AS user_key,
       f.event_type, f.{{ ts }} AS event_tstamp,
       {{ local_date('f.' ~ ts, rs_time_zone(reporting_timezone)) }} AS event_date,
{%- if session_source == 'sdk' %}
       -- the SDK's session of the device (its id is an epoch time, unique per anonymous_id only)
       CASE WHEN d.sdk_session_id IS NOT NULL AND f.anonymous_id IS NOT NULL
            THEN 'sdk:' || f.anonymous_id || ':' || CAST(d.sdk_session_id AS VARCHAR(20))
            ELSE f.session_id END AS session_key
{%- else %}
       f.session_id AS session_key
{%- endif %}
FROM {{ facts }} AS f
JOIN {{ changes }} AS c ON c.visitor_id = f.dbt_visitor_id AND f.{{ ts }} >= c.restart_at
{%- if session_source == 'sdk' %}
LEFT JOIN {{ table(output_schema, 'rs_metrics_event_dims') }} AS d ON d.event_id = f.event_id
{%- endif %}
{%- else %}
SELECT CAST(NULL AS {{ string }}) AS event_id, CAST(NULL AS {{ string }}) AS visitor_id,
       CAST(NULL AS {{ string }}) AS anonymous_id, CAST(NULL AS {{ string }}) AS user_key,
       CAST(NULL AS VARCHAR(16)) AS event_type, CAST(NULL AS TIMESTAMP) AS event_tstamp,
       CAST(NULL AS DATE) AS event_date, CAST(NULL AS {{ string }}) AS session_key
WHERE 1 = 0
{%- endif %}
{%- endcall %};

{% call replace_table(table(scratch_schema, 'rs_daily_metrics_replaced')) -%}
SELECT m.event_id, m.user_key, m.event_tstamp, m.event_date, m.session_key
FROM {{ events }} AS m
JOIN {{ changes }} AS c ON c.visitor_id = m.visitor_id AND m.event_tstamp >= c.restart_at
UNION
SELECT m.event_id, m.user_key, m.event_tstamp, m.event_date, m.session_key
FROM {{ events }} AS m
WHERE m.event_id IN (SELECT n.event_id FROM {{ new_rows }} AS n)
{%- endcall %};
