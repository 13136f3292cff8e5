-- In the transaction that commits this run's batch: the sessions replaced by key, the new
-- registrations and users, the channels whose counts changed.
{%- set sessions_this_run = table(scratch_schema, 'growth_dwh_sessions_this_run') %}
{%- set channels = table(scratch_schema, 'growth_dwh_channels_this_run') %}
{{ delete_insert(table(output_schema, 'fact_sessions'),
                 ['session_sk', 'user_sk', 'user_id', 'session_start_time', 'is_paid_session', 'channel_sk', 'channel'],
                 sessions_this_run ~ ' AS t', 'session_sk IN (SELECT session_sk FROM ' ~ sessions_this_run ~ ')') }};

{{ insert_by_name(table(output_schema, 'fact_registrations'),
                  ['registration_sk', 'user_sk', 'user_id', 'registration_time'],
                  table(scratch_schema, 'growth_dwh_registrations_this_run') ~ ' AS t') }};

{{ insert_by_name(table(output_schema, 'dim_user'), ['user_sk', 'user_id'],
                  table(scratch_schema, 'growth_dwh_users_this_run') ~ ' AS t') }};

{{ delete_insert(table(output_schema, 'dim_channel'), ['channel_sk', 'channel', 'sessions'],
                 '(SELECT * FROM ' ~ channels ~ ' WHERE sessions > 0) AS c',
                 'channel IN (SELECT channel FROM ' ~ channels ~ ')') }};
