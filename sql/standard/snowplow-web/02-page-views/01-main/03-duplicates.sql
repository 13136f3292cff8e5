{%- if duplicates not in ('exclude', 'keep_first') -%}
{{ fail("duplicates must be 'exclude' or 'keep_first', not '" ~ duplicates ~ "'") }}
{%- endif -%}
-- Page view ids carried by more than one page_view event, logged for this run.
{% call replace_table(table(scratch_schema, 'pv_page_view_id_duplicates_this_run')) -%}
SELECT page_view_id, COUNT(*) AS copies, MIN(derived_tstamp) AS min_tstamp, MAX(derived_tstamp) AS max_tstamp
FROM {{ table(scratch_schema, 'pv_events') }}
WHERE event_name = 'page_view' AND page_view_id IS NOT NULL
GROUP BY page_view_id
HAVING COUNT(*) > 1
{%- endcall %};
