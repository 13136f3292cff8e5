-- The batch: every session new or corrected, every new registration (pending until complete
-- commits it with the tables).
{{ insert_by_name(table(scratch_schema, 'growth_sessions_staged'),
                  ['batch_id', 'session_sk', 'user_id', 'user_sk', 'session_start_time', 'is_paid_session', 'channel'],
                  '(SELECT ' ~ batch_id ~ ' AS batch_id, t.* FROM ' ~ table(scratch_schema, 'growth_staging_sessions_this_run')
                  ~ ' AS t) AS s') }};

{{ insert_by_name(table(scratch_schema, 'growth_registrations_staged'),
                  ['batch_id', 'registration_sk', 'user_id', 'user_sk', 'registration_time'],
                  '(SELECT ' ~ batch_id ~ ' AS batch_id, t.* FROM '
                  ~ table(scratch_schema, 'growth_staging_registrations_this_run') ~ ' AS t) AS r') }};
