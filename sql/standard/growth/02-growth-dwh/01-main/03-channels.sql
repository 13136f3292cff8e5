-- Each channel whose session count changes: its stored count, less the sessions this run
-- replaces, plus the versions it writes (a corrected medium moves a session between two). A
-- channel left with no session leaves dim_channel, as a full run would never see it.
{%- set facts = table(output_schema, 'fact_sessions') %}
{%- set this_run = table(scratch_schema, 'growth_dwh_sessions_this_run') %}
{% call replace_table(table(scratch_schema, 'growth_dwh_channels_this_run')) -%}
SELECT c.channel, {{ hash_md5('c.channel') }} AS channel_sk, SUM(c.sessions) AS sessions
FROM (
  SELECT f.channel, -1 AS sessions FROM {{ facts }} AS f WHERE f.session_sk IN (SELECT session_sk FROM {{ this_run }})
  UNION ALL
  SELECT t.channel, 1 FROM {{ this_run }} AS t
  UNION ALL
  SELECT d.channel, d.sessions FROM {{ table(output_schema, 'dim_channel') }} AS d
  WHERE d.channel IN (SELECT channel FROM {{ this_run }})
     OR d.channel IN (SELECT f.channel FROM {{ facts }} AS f WHERE f.session_sk IN (SELECT session_sk FROM {{ this_run }}))
) AS c
GROUP BY c.channel
{%- endcall %};
