-- Each visitor whose data changes this run, from the earliest date changed: the dates of its
-- new, moved-in, moved-out or replaced rows, and the restart point of its tracks and sessions.
-- Then the snapshot dates: the as-of date D (features_as_of, else the last complete UTC day)
-- and the retained dates D-n+1 ... D, each with whether it has a snapshot yet and whether
-- this run builds it (features_catch_up).
{%- set touched = table(scratch_schema, 'rs_features_touched') %}
{%- set retention = number(feature_snapshot_retention_days) %}
{%- if retention < 1 -%}
{{ fail("feature_snapshot_retention_days must be at least 1, not " ~ retention) }}
{%- endif %}
{% call replace_table(table(scratch_schema, 'rs_features_changed')) -%}
SELECT visitor_id, MIN(changed_date) AS changed_from
FROM (
  SELECT t.visitor_id, t.event_date AS changed_date FROM {{ touched }} AS t WHERE t.visitor_id IS NOT NULL
  UNION ALL
  SELECT t.old_visitor_id, t.old_date FROM {{ touched }} AS t WHERE t.old_visitor_id IS NOT NULL
  UNION ALL
  SELECT c.visitor_id, {{ to_date('c.restart_at') }} FROM {{ table(scratch_schema, 'rs_features_session_changes') }} AS c
) AS points
GROUP BY visitor_id
{%- endcall %};

{%- if features_as_of %}
{%- set as_of = 'CAST(' ~ ts_literal(features_as_of) ~ ' AS DATE)' %}
{%- else %}
{%- set as_of = 'CAST(' ~ dateadd('day', -1, to_date(current_ts())) ~ ' AS DATE)' %}
{%- endif %}
{% call replace_table(table(scratch_schema, 'rs_features_dates')) -%}
SELECT d.snapshot_date, d.snapshot_date = d.as_of AS is_as_of,
       CASE WHEN s.snapshot_date IS NULL THEN 1 ELSE 0 END AS is_new,
       CASE WHEN s.snapshot_date IS NULL{% if features_catch_up == 'latest' %} AND d.snapshot_date = d.as_of{% endif %}
            THEN 1 ELSE 0 END AS build
FROM (
  SELECT CAST({{ dateadd('day', '-series.k', 'x.as_of') }} AS DATE) AS snapshot_date, x.as_of
  FROM (SELECT {{ as_of }} AS as_of) AS x
  CROSS JOIN {{ series('k', 0, retention - 1) }}
) AS d
LEFT JOIN {{ table(output_schema, 'rs_features_snapshots') }} AS s ON s.snapshot_date = d.snapshot_date
{%- endcall %};
