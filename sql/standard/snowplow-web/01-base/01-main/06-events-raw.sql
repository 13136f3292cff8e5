-- Every event of each included session, from the earliest included start up to the upper
-- limit, duplicates still in: downstream modules always see whole sessions.
{% call replace_table(table(scratch_schema, 'base_events_this_run_raw')) -%}
SELECT e.*
FROM {{ table(input_schema, 'events') }} AS e
WHERE e.domain_sessionid IN (SELECT session_id FROM {{ table(scratch_schema, 'base_sessions_to_include') }}
                             WHERE included)
  AND e.collector_tstamp >= (SELECT MIN(start_tstamp) FROM {{ table(scratch_schema, 'base_sessions_to_include') }}
                             WHERE included)
  AND e.collector_tstamp <= (SELECT upper_limit FROM {{ table(scratch_schema, 'base_run_limits') }})
  AND {{ stageable_event('e', start_date, days_late_allowed, app_ids) }}
{%- endcall %};
