-- In the transaction that commits this run's batch: the sessions new or corrected (replaced by
-- key), the new registrations and users, and the newest load batch read.
{%- set sessions = table(output_schema, 'growth_all_sessions') %}
{%- set sessions_this_run = table(scratch_schema, 'growth_staging_sessions_this_run') %}
{{ delete_insert(sessions, ['session_sk', 'user_id', 'user_sk', 'session_start_time', 'is_paid_session', 'channel',
                            'row_hash'],
                 sessions_this_run ~ ' AS t', 'session_sk IN (SELECT session_sk FROM ' ~ sessions_this_run ~ ')') }};

{{ insert_by_name(table(output_schema, 'growth_all_registrations'),
                  ['registration_sk', 'user_id', 'user_sk', 'registration_time'],
                  table(scratch_schema, 'growth_staging_registrations_this_run') ~ ' AS t') }};

{{ insert_by_name(table(output_schema, 'growth_users'), ['user_sk', 'user_id'],
                  table(scratch_schema, 'growth_staging_users_this_run') ~ ' AS t') }};

{{ delete_insert(table(output_schema, 'growth_load_marks'), ['load_batch_id', 'marked_tstamp'],
                 '(SELECT upto_batch AS load_batch_id, ' ~ current_ts() ~ ' AS marked_tstamp FROM '
                 ~ table(scratch_schema, 'growth_staging_limits') ~ ') AS l', '1 = 1') }};
