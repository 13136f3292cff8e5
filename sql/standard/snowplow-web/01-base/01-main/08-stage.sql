-- The batch for page views: every event of each session read this run, and for a session
-- left with none (all its events were duplicates) one row with no event, so downstream
-- modules learn to drop what they built from it.
INSERT INTO {{ table(scratch_schema, 'events_staged') }}
  (batch_id, {% for column in atomic_columns %}{{ column }}, {% endfor %}page_view_id)
SELECT {{ batch_id }}, {% for column in atomic_columns %}{{ column }}, {% endfor %}page_view_id
FROM {{ table(scratch_schema, 'events_this_run') }};

INSERT INTO {{ table(scratch_schema, 'events_staged') }} (batch_id, domain_sessionid, collector_tstamp, derived_tstamp)
SELECT {{ batch_id }}, s.session_id, s.start_tstamp, s.start_tstamp
FROM {{ table(scratch_schema, 'base_sessions_to_include') }} AS s
WHERE s.included
  AND NOT EXISTS (SELECT 1 FROM {{ table(scratch_schema, 'events_this_run') }} AS e
                  WHERE e.domain_sessionid = s.session_id);
