-- The sessions of the unconsumed batches, each as its newest batch has it, with the key of its
-- channel; the registrations not in the fact yet; the users not in dim_user yet.
{% call replace_table(table(scratch_schema, 'growth_dwh_sessions_this_run')) -%}
SELECT s.session_sk, s.user_sk, s.user_id, s.session_start_time, s.is_paid_session,
       {{ hash_md5('s.channel') }} AS channel_sk, s.channel
FROM {{ unconsumed('growth_sessions_staged', 's', newest_per='session_sk') }}
{%- endcall %};

{% call replace_table(table(scratch_schema, 'growth_dwh_registrations_this_run')) -%}
SELECT DISTINCT r.registration_sk, r.user_sk, r.user_id, r.registration_time
FROM {{ unconsumed('growth_registrations_staged', 'r') }}
WHERE NOT EXISTS (SELECT 1 FROM {{ table(output_schema, 'fact_registrations') }} AS f
                  WHERE f.registration_sk = r.registration_sk)
{%- endcall %};

{% call replace_table(table(scratch_schema, 'growth_dwh_users_this_run')) -%}
SELECT DISTINCT n.user_sk, n.user_id
FROM (SELECT user_sk, user_id FROM {{ table(scratch_schema, 'growth_dwh_sessions_this_run') }}
      UNION ALL
      SELECT user_sk, user_id FROM {{ table(scratch_schema, 'growth_dwh_registrations_this_run') }}) AS n
WHERE NOT EXISTS (SELECT 1 FROM {{ table(output_schema, 'dim_user') }} AS u WHERE u.user_id = n.user_id)
{%- endcall %};
