-- The batch: per user, the earliest start of a session written this run or time of a new
-- registration (pending until complete commits it with the facts).
{{ insert_by_name(table(scratch_schema, 'growth_attribution_work_staged'), ['batch_id', 'user_id', 'affected_from'],
                  '(SELECT ' ~ batch_id ~ ' AS batch_id, w.user_id, MIN(w.at_time) AS affected_from FROM ('
                  ~ 'SELECT user_id, session_start_time AS at_time FROM '
                  ~ table(scratch_schema, 'growth_dwh_sessions_this_run')
                  ~ ' UNION ALL SELECT user_id, registration_time FROM '
                  ~ table(scratch_schema, 'growth_dwh_registrations_this_run')
                  ~ ') AS w GROUP BY w.user_id) AS w') }};
