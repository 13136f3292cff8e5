-- Each session read this run as the newest batch has it (the critical checks have made the
-- version within a batch unique), kept when it is new or its content differs from the stored
-- version's: a corrected medium or paid flag.
{%- set stored_sessions = table(output_schema, 'growth_all_sessions') %}
{% call replace_table(table(scratch_schema, 'growth_staging_sessions_this_run')) -%}
SELECT v.session_sk, v.user_id, v.user_sk, v.time_started AS session_start_time, v.is_paid AS is_paid_session,
       v.medium AS channel, v.row_hash
FROM {{ first_per(table(scratch_schema, 'growth_staging_sessions_new'), 'session_sk', 'load_batch_id DESC, row_hash') }} AS v
LEFT JOIN {{ stored_sessions }} AS s ON s.session_sk = v.session_sk
WHERE s.session_sk IS NULL OR s.row_hash <> v.row_hash
{%- endcall %};

-- Each registration not stored yet, once however many batches sent it.
{% call replace_table(table(scratch_schema, 'growth_staging_registrations_this_run')) -%}
SELECT v.registration_sk, v.user_id, v.user_sk, v.registration_time
FROM {{ first_per(table(scratch_schema, 'growth_staging_registrations_new'), 'registration_sk', 'load_batch_id') }} AS v
WHERE NOT EXISTS (SELECT 1 FROM {{ table(output_schema, 'growth_all_registrations') }} AS r
                  WHERE r.registration_sk = v.registration_sk)
{%- endcall %};

-- Users first seen this run, in a session or a registration.
{% call replace_table(table(scratch_schema, 'growth_staging_users_this_run')) -%}
SELECT DISTINCT n.user_sk, n.user_id
FROM (SELECT user_sk, user_id FROM {{ table(scratch_schema, 'growth_staging_sessions_this_run') }}
      UNION ALL
      SELECT user_sk, user_id FROM {{ table(scratch_schema, 'growth_staging_registrations_this_run') }}) AS n
WHERE NOT EXISTS (SELECT 1 FROM {{ table(output_schema, 'growth_users') }} AS u WHERE u.user_id = n.user_id)
{%- endcall %};
