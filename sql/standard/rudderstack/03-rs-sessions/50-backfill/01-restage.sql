-- For one consumer: every visitor with a session starting since the backfill date, restarting
-- at its first such session, as one batch (the consumer rebuilds from there).
INSERT INTO {{ table(scratch_schema, session_changes_table) }} (batch_id, dbt_visitor_id, restart_at)
SELECT {{ batch_id }}, dbt_visitor_id, MIN(session_start_at)
FROM {{ table(output_schema, sessions_prefix ~ 'session_tracks') }}
WHERE session_start_at >= {{ ts_literal(backfill_since) }}
GROUP BY dbt_visitor_id;
