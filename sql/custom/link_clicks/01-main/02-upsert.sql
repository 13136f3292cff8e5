-- Replace by session, like the standard modules: a session re-read replaces all its rows.
{{ create_table_like(table(output_schema, 'page_view_link_clicks'), table(scratch_schema, 'link_clicks_this_run'),
                     dist_key='page_view_id', sort_keys='page_view_tstamp') }};

DELETE FROM {{ table(output_schema, 'page_view_link_clicks') }}
WHERE domain_sessionid IN (SELECT domain_sessionid FROM {{ unconsumed('events_staged', 'e') }})
  AND page_view_tstamp >= (SELECT {{ dateadd('day', -number(upsert_lookback_days), 'MIN(collector_tstamp)') }}
                           FROM {{ unconsumed('events_staged', 'e') }});

INSERT INTO {{ table(output_schema, 'page_view_link_clicks') }}
SELECT * FROM {{ table(scratch_schema, 'link_clicks_this_run') }};
