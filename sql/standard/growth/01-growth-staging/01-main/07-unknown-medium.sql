-- Warn: a session of this run whose medium is not one of known_mediums (a new marketing
-- channel, or a typo upstream); attribution treats it as any other medium.
SELECT channel, COUNT(*) AS sessions
FROM {{ table(scratch_schema, 'growth_staging_sessions_this_run') }}
WHERE channel NOT IN ({{ string_literals(known_mediums) }})
GROUP BY channel
