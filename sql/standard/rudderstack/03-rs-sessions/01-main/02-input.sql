-- The events of the unconsumed batches (each id from the newest batch holding it) of the call
-- types this instance sessionizes, and the aliases remapped since its last run. A staged table
-- its producer has not created yet has no batch to read (a batch is committed only after its
-- table exists, and the batches this run reads were fixed before this file was rendered).
{%- set S = sessions_scratch_prefix %}
{%- set string = column_type('string') %}
{% call replace_table(table(scratch_schema, S ~ 'events_in')) -%}
{%- set staged_events = unconsumed('rs_events_staged', 'e', newest_per='event_id', if_created=true) %}
{%- if staged_events %}
SELECT e.event_id, e.event_type, e.{{ quote('event') }}, e.anonymous_id, e.user_id, e.event_tstamp, e.excluded
FROM {{ staged_events }}
WHERE e.event_type IN ({{ rs_event_types(session_sources, ['tracks', 'pages', 'screens', 'identifies']) }})
{%- else %}
SELECT CAST(NULL AS {{ string }}) AS event_id, CAST(NULL AS {{ string }}) AS event_type,
       CAST(NULL AS {{ string }}) AS {{ quote('event') }}, CAST(NULL AS {{ string }}) AS anonymous_id,
       CAST(NULL AS {{ string }}) AS user_id, CAST(NULL AS TIMESTAMP) AS event_tstamp, FALSE AS excluded
WHERE 1 = 0
{%- endif %}
{%- endcall %};

{% call replace_table(table(scratch_schema, S ~ 'remapped')) -%}
{{ rs_remapped_aliases(unconsumed('rs_remaps_staged', if_created=true)) }}
{%- endcall %};
