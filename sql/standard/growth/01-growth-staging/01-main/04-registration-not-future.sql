-- Critical: a registration cannot be later than now (a clock or time zone error upstream).
SELECT user_id, registration_time, load_batch_id
FROM {{ table(scratch_schema, 'growth_staging_registrations_new') }}
WHERE registration_time > {{ current_ts() }}
