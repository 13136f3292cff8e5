-- Duplicated event ids are logged, then resolved as `duplicates` says, and each event gets its
-- page view id: the same SQL the backfill stages with (staged_events).
{% call replace_table(table(scratch_schema, 'base_duplicates_this_run')) -%}
SELECT event_id, COUNT(*) AS copies, MIN(collector_tstamp) AS min_tstamp, MAX(collector_tstamp) AS max_tstamp
FROM {{ table(scratch_schema, 'base_events_this_run_raw') }}
GROUP BY event_id
HAVING COUNT(*) > 1
{%- endcall %};

{% call replace_table(table(scratch_schema, 'events_this_run')) -%}
{{ staged_events(table(scratch_schema, 'base_events_this_run_raw'),
                 table(input_schema, 'com_snowplowanalytics_snowplow_web_page_1'), duplicates) }}
{%- endcall %};
