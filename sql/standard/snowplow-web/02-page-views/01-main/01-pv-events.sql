-- The unconsumed batches of events_staged, each session from the newest batch that holds it:
-- a session re-read by base carries all its events, so older copies are superseded.
{% call replace_table(table(scratch_schema, 'pv_events')) -%}
SELECT e.*
FROM {{ unconsumed('events_staged', 'e', newest_per='domain_sessionid') }}
{%- endcall %};
