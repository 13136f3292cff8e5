-- For one consumer: every session started (or registration made) since the backfill date, as
-- growth_staging keeps it, as one batch of the staged table the consumer asked for.
{%- if backfill_table == 'growth_sessions_staged' %}
{{ insert_by_name(table(scratch_schema, 'growth_sessions_staged'),
                  ['batch_id', 'session_sk', 'user_id', 'user_sk', 'session_start_time', 'is_paid_session', 'channel'],
                  '(SELECT ' ~ batch_id ~ ' AS batch_id, s.* FROM ' ~ table(output_schema, 'growth_all_sessions')
                  ~ ' AS s WHERE s.session_start_time >= ' ~ ts_literal(backfill_since) ~ ') AS s') }}
{%- else %}
{{ insert_by_name(table(scratch_schema, 'growth_registrations_staged'),
                  ['batch_id', 'registration_sk', 'user_id', 'user_sk', 'registration_time'],
                  '(SELECT ' ~ batch_id ~ ' AS batch_id, r.* FROM ' ~ table(output_schema, 'growth_all_registrations')
                  ~ ' AS r WHERE r.registration_time >= ' ~ ts_literal(backfill_since) ~ ') AS r') }}
{%- endif %};
