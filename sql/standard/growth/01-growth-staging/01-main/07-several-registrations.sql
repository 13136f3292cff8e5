-- Warn: a user with a registration this run and more than one in all (stored or this run).
SELECT a.user_id, COUNT(*) AS registrations
FROM (SELECT user_id, registration_sk FROM {{ table(output_schema, 'growth_all_registrations') }}
      WHERE user_id IN (SELECT user_id FROM {{ table(scratch_schema, 'growth_staging_registrations_this_run') }})
      UNION ALL
      SELECT user_id, registration_sk FROM {{ table(scratch_schema, 'growth_staging_registrations_this_run') }}) AS a
GROUP BY a.user_id
HAVING COUNT(*) > 1
