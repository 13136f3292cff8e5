-- The dimensions of every event in the unconsumed batches of rs_events_staged (each id from
-- the newest batch holding it), written at once: they depend on the event alone, so redoing
-- this after a crash writes the same. An excluded event loses its row. A staged table its
-- producer has not created yet has no batch to read.
{%- set dims_raw = table(scratch_schema, 'rs_daily_metrics_dims_raw') %}
{%- set dims_in = table(scratch_schema, 'rs_daily_metrics_dims_in') %}
{%- set dims = table(output_schema, 'rs_metrics_event_dims') %}
{%- set string = column_type('string') %}
-- Two tables, not nested subqueries: a planner that inlines a subquery's expressions (as
-- PostgreSQL does) would repeat the referrer's regular expressions in every rule that reads
-- the referrer, source or medium, some thirty times a row.
{% call replace_table(dims_raw) -%}
{%- set staged_events = unconsumed('rs_events_staged', 'e', newest_per='event_id', if_created=true) %}
{%- if staged_events %}
SELECT e.event_id, e.sdk_session_id, e.excluded, e.campaign_source, e.campaign_medium,
       {{ rs_referrer('e.page_referrer', 'e.page_referring_domain') }} AS referrer,
       {{ rs_device_type('e.screen_width', 'e.screen_height') }} AS device_type
FROM {{ staged_events }}
{%- else %}
SELECT CAST(NULL AS {{ string }}) AS event_id, CAST(NULL AS BIGINT) AS sdk_session_id, FALSE AS excluded,
       CAST(NULL AS {{ string }}) AS campaign_source, CAST(NULL AS {{ string }}) AS campaign_medium,
       CAST(NULL AS {{ string }}) AS referrer, CAST(NULL AS VARCHAR(16)) AS device_type
WHERE 1 = 0
{%- endif %}
{%- endcall %};

{% call replace_table(dims_in) -%}
SELECT r.event_id, r.sdk_session_id, r.excluded, r.referrer, r.utm_source, r.utm_medium,
       {{ rs_source_medium('r.utm_source', 'r.utm_medium') }} AS source_medium,
       {{ rs_channel('r.utm_source', 'r.utm_medium', 'r.referrer') }} AS channel,
       r.device_type
FROM (
  SELECT v.event_id, v.sdk_session_id, v.excluded, v.referrer, v.device_type,
         {{ rs_campaign_value('v.campaign_source', 'v.referrer') }} AS utm_source,
         {{ rs_campaign_value('v.campaign_medium', 'v.referrer') }} AS utm_medium
  FROM {{ dims_raw }} AS v
) AS r
{%- endcall %};

{{ delete_insert(dims, ['event_id', 'sdk_session_id', 'referrer', 'utm_source', 'utm_medium', 'source_medium',
                        'channel', 'device_type'],
                 '(SELECT * FROM ' ~ dims_in ~ ' WHERE NOT excluded) AS d',
                 same_keys(dims, dims_in, ['event_id'])) }};
