-- Every copy staged this run joins the event manifest (once), so a backfill re-stages exactly
-- what main staged.
INSERT INTO {{ table(output_schema, 'base_event_id_manifest') }} (event_id, collector_tstamp, load_tstamp)
SELECT DISTINCT r.event_id, r.collector_tstamp, r.load_tstamp
FROM {{ table(scratch_schema, 'base_events_this_run_raw') }} AS r
WHERE NOT EXISTS (SELECT 1 FROM {{ table(output_schema, 'base_event_id_manifest') }} AS m
                  WHERE m.event_id = r.event_id AND m.collector_tstamp = r.collector_tstamp
                    AND m.load_tstamp = r.load_tstamp);

DELETE FROM {{ table(output_schema, 'base_session_id_manifest') }}
WHERE session_id IN (SELECT session_id FROM {{ table(scratch_schema, 'base_sessions_to_include') }} WHERE included);

INSERT INTO {{ table(output_schema, 'base_session_id_manifest') }} (session_id, min_tstamp)
SELECT session_id, start_tstamp FROM {{ table(scratch_schema, 'base_sessions_to_include') }} WHERE included;

-- The events due this run are dealt with (staged, or left out with their session); the new
-- ones beyond this run's event time wait in the backlog.
DELETE FROM {{ table(output_schema, 'base_event_backlog') }}
WHERE collector_tstamp <= (SELECT upper_limit FROM {{ table(scratch_schema, 'base_run_limits') }});

INSERT INTO {{ table(output_schema, 'base_event_backlog') }} (event_id, domain_sessionid, collector_tstamp, load_tstamp)
SELECT c.event_id, c.domain_sessionid, c.collector_tstamp, c.load_tstamp
FROM {{ table(scratch_schema, 'base_new_event_candidates') }} AS c
WHERE c.stageable
  AND c.collector_tstamp > (SELECT upper_limit FROM {{ table(scratch_schema, 'base_run_limits') }})
ORDER BY c.collector_tstamp;

-- The loads read this run are not read again; only the newest lookback_loads + 1 are kept,
-- the bounds of the gaps the next run looks into.
INSERT INTO {{ table(output_schema, 'base_load_manifest') }} (load_tstamp, events)
SELECT c.load_tstamp, COUNT(*)
FROM {{ table(scratch_schema, 'base_new_event_candidates') }} AS c
WHERE NOT EXISTS (SELECT 1 FROM {{ table(output_schema, 'base_load_manifest') }} AS l
                  WHERE l.load_tstamp = c.load_tstamp)
GROUP BY c.load_tstamp;

DELETE FROM {{ table(output_schema, 'base_load_manifest') }}
WHERE load_tstamp < (SELECT MIN(load_tstamp)
                     FROM (SELECT load_tstamp FROM {{ table(output_schema, 'base_load_manifest') }}
                           ORDER BY load_tstamp DESC LIMIT {{ number(lookback_loads) + 1 }}) AS newest);
