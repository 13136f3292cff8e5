-- Every copy read this run, and the new events of sessions left out, are now processed.
DELETE FROM {{ table(output_schema, 'base_event_id_manifest') }}
WHERE event_id IN (SELECT event_id FROM {{ table(scratch_schema, 'base_events_this_run_raw') }})
   OR event_id IN (SELECT c.event_id FROM {{ table(scratch_schema, 'base_new_event_candidates') }} AS c
                   JOIN {{ table(scratch_schema, 'base_sessions_to_include') }} AS s
                     ON s.session_id = c.domain_sessionid AND NOT s.included);

INSERT INTO {{ table(output_schema, 'base_event_id_manifest') }} (event_id, collector_tstamp, load_tstamp)
SELECT event_id, collector_tstamp, load_tstamp FROM {{ table(scratch_schema, 'base_events_this_run_raw') }}
UNION ALL
SELECT c.event_id, c.collector_tstamp, c.load_tstamp
FROM {{ table(scratch_schema, 'base_new_event_candidates') }} AS c
JOIN {{ table(scratch_schema, 'base_sessions_to_include') }} AS s
  ON s.session_id = c.domain_sessionid AND NOT s.included
CROSS JOIN {{ table(scratch_schema, 'base_run_limits') }} AS r
WHERE c.collector_tstamp <= r.upper_limit;

DELETE FROM {{ table(output_schema, 'base_session_id_manifest') }}
WHERE session_id IN (SELECT session_id FROM {{ table(scratch_schema, 'base_sessions_to_include') }} WHERE included);

INSERT INTO {{ table(output_schema, 'base_session_id_manifest') }} (session_id, min_tstamp)
SELECT session_id, start_tstamp FROM {{ table(scratch_schema, 'base_sessions_to_include') }} WHERE included;
