-- Warn: a registration of this run whose user has no session, stored or read this run (the
-- seed counted 96 785 in its data). Attribution keeps it as UNATTRIBUTED; a session that
-- arrives later attributes it then.
SELECT r.user_id, r.registration_time
FROM {{ table(scratch_schema, 'growth_staging_registrations_this_run') }} AS r
WHERE NOT EXISTS (SELECT 1 FROM {{ table(output_schema, 'growth_all_sessions') }} AS s WHERE s.user_id = r.user_id)
  AND NOT EXISTS (SELECT 1 FROM {{ table(scratch_schema, 'growth_staging_sessions_this_run') }} AS s
                  WHERE s.user_id = r.user_id)
