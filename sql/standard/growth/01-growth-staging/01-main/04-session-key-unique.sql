-- Critical: within one load batch, a session (user, start) has one version. Two different
-- rows for it in the same batch leave no way to tell which corrects which (identical rows
-- were never added twice: the loader skips a row it holds). A later batch may correct it.
SELECT user_id, time_started, load_batch_id, COUNT(*) AS versions
FROM {{ table(scratch_schema, 'growth_staging_sessions_new') }}
WHERE user_id IS NOT NULL AND time_started IS NOT NULL
GROUP BY user_id, time_started, load_batch_id
HAVING COUNT(*) > 1
