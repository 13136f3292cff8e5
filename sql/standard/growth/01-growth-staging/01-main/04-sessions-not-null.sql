-- Critical: a session names its user, its start and its medium (the keys and the attribution
-- need all three).
SELECT user_id, time_started, is_paid, medium, load_batch_id
FROM {{ table(scratch_schema, 'growth_staging_sessions_new') }}
WHERE user_id IS NULL OR time_started IS NULL OR medium IS NULL
