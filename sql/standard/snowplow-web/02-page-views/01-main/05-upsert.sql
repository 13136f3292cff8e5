{%- if not skip_derived -%}
{%- set enrichments = namespace(joined=[], selected=[], added=[], absent=[]) -%}
{{- page_view_enrichments(enrichments, enable_iab, enable_ua_parser, enable_yauaa) -}}
{%- set pv_events = table(scratch_schema, 'pv_events') -%}
{%- set replace -%}
domain_sessionid IN (SELECT domain_sessionid FROM {{ pv_events }})
  AND start_tstamp >= (SELECT {{ dateadd('day', -number(upsert_lookback_days), 'MIN(collector_tstamp)') }}
                       FROM {{ pv_events }})
{%- endset -%}
-- Replace by session: every page view of each session read this run, within the look-back.
-- An enrichment turned on adds its columns (earlier rows keep NULL there); one turned off
-- leaves its columns NULL in the rows written from now on.
{{ upsert(table(output_schema, 'page_views'), table(scratch_schema, 'page_views_this_run'),
          columns(table(output_schema, 'page_views')), replace, enrichments.added, enrichments.absent,
          dist_key='page_view_id', sort_keys='start_tstamp') }};
{%- else -%}
SELECT 'skip_derived: page_views not written' AS note;
{%- endif %}
