-- For one consumer: attribution work for every user with a registration since the backfill
-- date, from that date on.
{{ insert_by_name(table(scratch_schema, 'growth_attribution_work_staged'), ['batch_id', 'user_id', 'affected_from'],
                  '(SELECT DISTINCT ' ~ batch_id ~ ' AS batch_id, r.user_id, ' ~ ts_literal(backfill_since)
                  ~ ' AS affected_from FROM ' ~ table(output_schema, 'fact_registrations')
                  ~ ' AS r WHERE r.registration_time >= ' ~ ts_literal(backfill_since) ~ ') AS w') }};
