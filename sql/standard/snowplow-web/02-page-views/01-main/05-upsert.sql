{%- if not skip_derived -%}
-- Replace by session: every page view of each session read this run, within the look-back.
{{ create_table_like(table(output_schema, 'page_views'), table(scratch_schema, 'page_views_this_run'),
                     dist_key='page_view_id', sort_keys='start_tstamp') }};

DELETE FROM {{ table(output_schema, 'page_views') }}
WHERE domain_sessionid IN (SELECT domain_sessionid FROM {{ table(scratch_schema, 'pv_events') }})
  AND start_tstamp >= (SELECT {{ dateadd('day', -number(upsert_lookback_days), 'MIN(collector_tstamp)') }}
                       FROM {{ table(scratch_schema, 'pv_events') }});

INSERT INTO {{ table(output_schema, 'page_views') }}
SELECT * FROM {{ table(scratch_schema, 'page_views_this_run') }};
{%- else -%}
SELECT 'skip_derived: page_views not written' AS note;
{%- endif %}
