-- Warn: a registration of this run earlier than its user's first session (stored or read this
-- run): the sessions that explain it may be missing.
SELECT r.user_id, r.registration_time, f.first_session_at
FROM {{ table(scratch_schema, 'growth_staging_registrations_this_run') }} AS r
JOIN (SELECT s.user_id, MIN(s.session_start_time) AS first_session_at
      FROM (SELECT user_id, session_start_time FROM {{ table(output_schema, 'growth_all_sessions') }}
            WHERE user_id IN (SELECT user_id FROM {{ table(scratch_schema, 'growth_staging_registrations_this_run') }})
            UNION ALL
            SELECT user_id, session_start_time FROM {{ table(scratch_schema, 'growth_staging_sessions_this_run') }}) AS s
      GROUP BY s.user_id) AS f ON f.user_id = r.user_id
WHERE r.registration_time < f.first_session_at
