-- Critical: a registration names its user and its time.
SELECT user_id, registration_time, load_batch_id
FROM {{ table(scratch_schema, 'growth_staging_registrations_new') }}
WHERE user_id IS NULL OR registration_time IS NULL
