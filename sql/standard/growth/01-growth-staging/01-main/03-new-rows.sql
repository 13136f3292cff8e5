-- The load batches this run reads: after the last one read (growth_load_marks), up to the
-- newest committed when the run started (later ones wait for the next run).
{%- set loads = table(growth_raw_schema, 'growth_loads') %}
{% call replace_table(table(scratch_schema, 'growth_staging_limits')) -%}
SELECT m.after_batch,
       {% if 'load_batch_id' in columns(loads) %}COALESCE((SELECT MAX(g.load_batch_id) FROM {{ loads }} AS g), m.after_batch){% else %}m.after_batch{% endif %} AS upto_batch
FROM (SELECT COALESCE(MAX(load_batch_id), 0) AS after_batch FROM {{ table(output_schema, 'growth_load_marks') }}) AS m
{%- endcall %};

-- Their raw rows, each with the surrogate keys of its natural key.
{%- set limits = table(scratch_schema, 'growth_staging_limits') %}
{%- set sessions = table(growth_raw_schema, 'sessions') %}
{%- set conversions = table(growth_raw_schema, 'conversions') %}
{% call replace_table(table(scratch_schema, 'growth_staging_sessions_new')) -%}
SELECT n.*, {{ growth_session_sk('n.user_id', 'n.time_started') }} AS session_sk, {{ growth_user_sk('n.user_id') }} AS user_sk
FROM ({{ growth_new_raw_rows(sessions, columns(sessions), limits,
                             [('user_id', 'BIGINT'), ('time_started', 'TIMESTAMP'), ('is_paid', 'BOOLEAN'),
                              ('medium', column_type('string'))]) }}) AS n
{%- endcall %};

{% call replace_table(table(scratch_schema, 'growth_staging_registrations_new')) -%}
SELECT n.*, {{ growth_registration_sk('n.user_id', 'n.registration_time') }} AS registration_sk,
       {{ growth_user_sk('n.user_id') }} AS user_sk
FROM ({{ growth_new_raw_rows(conversions, columns(conversions), limits,
                             [('user_id', 'BIGINT'), ('registration_time', 'TIMESTAMP')]) }}) AS n
{%- endcall %};
