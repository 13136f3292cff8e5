-- The attribution of each registration to redo (module.yml states the rules): its sessions
-- that started at or before it, each with the rule it is live for, one window per
-- registration (no self-join); sessions are read for the work's users only.
{%- set regs = table(scratch_schema, 'growth_mart_registrations') %}
{%- set rules = table(scratch_schema, 'growth_mart_rules_this_run') %}
{%- set elapsed = seconds_between('s.session_start_time', 'r.registration_time') %}
{%- set hours = 'CAST(' ~ seconds_between('attributed_start', 'registration_time') ~ ' / 3600 AS DECIMAL(18, 6))' %}
{%- if attribution_mode == 'seed' %}
{%- set candidates -%}
(SELECT c.*, MIN(c.class_rank) OVER (PARTITION BY c.user_id) AS claim
 FROM (SELECT r.registration_sk, r.user_sk, r.user_id, r.registration_time, r.registration_month,
              s.session_sk, s.channel, s.session_start_time AS attributed_start,
              COALESCE(m.channel_name, 'OTHERS') AS live_channel,
              CASE WHEN m.priority IS NOT NULL THEN m.priority
                   WHEN s.channel NOT IN (SELECT medium FROM {{ rules }} WHERE rule_kind = 'live') THEN 5 END AS class_rank
       FROM {{ regs }} AS r
       JOIN {{ table(output_schema, 'fact_sessions') }} AS s
         ON s.user_id = r.user_id AND s.session_start_time <= r.registration_time
       LEFT JOIN {{ rules }} AS m
         ON m.rule_kind = 'live' AND s.channel = m.medium
        AND (m.window_hours IS NULL OR {{ elapsed }} <= m.window_hours * 3600)) AS c
 WHERE c.class_rank IS NOT NULL)
{%- endset %}
{% call replace_table(table(scratch_schema, 'growth_mart_attribution_this_run')) -%}
SELECT a.registration_sk, a.user_sk, a.user_id, a.registration_time, a.registration_month,
       a.live_channel AS channel_name, a.session_sk AS attributed_session_sk, a.channel AS attributed_medium,
       {{ hours }} AS hours_to_convert, CAST('seed_class' AS VARCHAR(32)) AS rule_id
FROM {{ first_per('(SELECT * FROM ' ~ candidates ~ ' AS k WHERE k.class_rank = k.claim)', 'registration_sk',
                  'attributed_start DESC, session_sk DESC') }} AS a
{%- endcall %};
{%- else %}
{%- set candidates -%}
(SELECT r.registration_sk, r.user_sk, r.user_id, r.registration_time, r.registration_month,
        s.session_sk, s.channel, s.session_start_time AS attributed_start, m.channel_name AS live_channel, m.priority
 FROM {{ regs }} AS r
 LEFT JOIN {{ table(output_schema, 'fact_sessions') }} AS s
   ON s.user_id = r.user_id AND s.session_start_time <= r.registration_time
 LEFT JOIN {{ rules }} AS m
   ON m.rule_kind = 'live' AND UPPER(TRIM(s.channel)) = UPPER(TRIM(m.medium))
  AND {{ elapsed }} <= m.window_hours * 3600)
{%- endset %}
{% call replace_table(table(scratch_schema, 'growth_mart_attribution_this_run')) -%}
SELECT a.registration_sk, a.user_sk, a.user_id, a.registration_time, a.registration_month,
       CASE WHEN a.priority IS NOT NULL THEN a.live_channel
            WHEN a.session_sk IS NULL THEN 'UNATTRIBUTED'
            WHEN UPPER(TRIM(a.channel)) IN (SELECT UPPER(TRIM(d.medium)) FROM {{ rules }} AS d
                                            WHERE d.rule_kind = 'direct') THEN 'DIRECT'
            ELSE 'OTHERS' END AS channel_name,
       a.session_sk AS attributed_session_sk, a.channel AS attributed_medium,
       CASE WHEN a.session_sk IS NOT NULL THEN {{ hours }} END AS hours_to_convert,
       CAST(CASE WHEN a.priority IS NOT NULL THEN 'live_session' WHEN a.session_sk IS NULL THEN 'no_session'
                 ELSE 'last_session' END AS VARCHAR(32)) AS rule_id
FROM {{ first_per(candidates, 'registration_sk',
                  'priority ASC NULLS LAST, attributed_start DESC, session_sk DESC, live_channel') }} AS a
{%- endcall %};
{%- endif %}

-- The months whose mart rows complete recomputes.
{% call replace_table(table(scratch_schema, 'growth_mart_months')) -%}
SELECT DISTINCT registration_month FROM {{ regs }}
{%- endcall %};
