-- The events of the unconsumed batches (each id from the newest batch holding it) of the call
-- types this instance sessionizes, and the aliases remapped since its last run.
{%- set S = sessions_scratch_prefix %}
{% call rs_replace_table(table(scratch_schema, S ~ 'events_in')) -%}
SELECT e.event_id, e.event_type, e.{{ rs_quote('event') }}, e.anonymous_id, e.user_id, e.event_tstamp, e.excluded
FROM {{ unconsumed('rs_events_staged', 'e', newest_per='event_id') }}
WHERE e.event_type IN ({{ rs_event_types(session_sources, ['tracks', 'pages', 'screens', 'identifies']) }})
{%- endcall %};

{% call rs_replace_table(table(scratch_schema, S ~ 'remapped')) -%}
SELECT DISTINCT r.alias FROM {{ unconsumed('rs_remaps_staged', 'r') }}
{%- endcall %};
