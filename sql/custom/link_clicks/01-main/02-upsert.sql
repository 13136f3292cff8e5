{%- set replace -%}
domain_sessionid IN (SELECT domain_sessionid FROM {{ unconsumed('events_staged', 'e') }})
  AND page_view_tstamp >= (SELECT {{ dateadd('day', -number(upsert_lookback_days), 'MIN(collector_tstamp)') }}
                           FROM {{ unconsumed('events_staged', 'e') }})
{%- endset -%}
-- Replace by session, like the standard modules: a session re-read replaces all its rows.
{{ upsert(table(output_schema, 'page_view_link_clicks'), table(scratch_schema, 'link_clicks_this_run'),
          columns(table(output_schema, 'page_view_link_clicks')), replace,
          dist_key='page_view_id', sort_keys='page_view_tstamp') }};
