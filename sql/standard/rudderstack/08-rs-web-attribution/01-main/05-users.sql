-- The sessions of each device looked at again, as they stand after this run (kept and
-- sessionized again), with their blended user (its device's stitched user, else the device).
-- The blended users they had (stored) and have: each is renumbered whole, its other stored
-- sessions and these, by start (ties by session id). A session changes when it was sessionized
-- again or its device was remapped; the earliest and the latest start of a user's changed
-- sessions, old and new, bound the conversions to attribute again (06-conversions.sql).
{%- set devices = table(scratch_schema, 'web_attr_devices') %}
{%- set sessions = table(scratch_schema, 'web_attr_sessions') %}
{%- set stitched = table(scratch_schema, 'web_attr_stitched') %}
{%- set users = table(scratch_schema, 'web_attr_users') %}
{%- set stored = table(output_schema, 'web_sessions') %}
{%- set names = rs_web_fields('session', 'names', pass_through=pass_through_columns) %}
{% call replace_table(stitched) -%}
SELECT {{ rs_web_fields('session', 'names', 's', pass_through=pass_through_columns) }}, COALESCE(u.user_id, s.anonymous_id) AS blended_user_id,
       s.changed
FROM (
  SELECT {{ names }}, 1 AS changed FROM {{ sessions }}
  UNION ALL
  SELECT {{ rs_web_fields('session', 'names', 'k', pass_through=pass_through_columns) }}, d.remapped
  FROM {{ table(scratch_schema, 'web_attr_kept') }} AS k
  JOIN {{ devices }} AS d ON d.anonymous_id = k.anonymous_id
) AS s
LEFT JOIN {{ table(scratch_schema, 'web_attr_stitching') }} AS u ON u.anonymous_id = s.anonymous_id
{%- endcall %};

{% call replace_table(users) -%}
SELECT blended_user_id, MIN(CASE WHEN changed = 1 THEN session_start_tstamp END) AS changed_from,
       MAX(CASE WHEN changed = 1 THEN session_start_tstamp END) AS changed_to
FROM (
  SELECT n.blended_user_id, n.session_start_tstamp, n.changed FROM {{ stitched }} AS n
  UNION ALL
  SELECT o.blended_user_id, o.session_start_tstamp,
         CASE WHEN d.remapped = 1 OR o.session_start_tstamp >= d.restart_at THEN 1 ELSE 0 END
  FROM {{ stored }} AS o
  JOIN {{ devices }} AS d ON d.anonymous_id = o.anonymous_id
) AS sessions
GROUP BY blended_user_id
{%- endcall %};

{% call replace_table(table(scratch_schema, 'web_attr_numbered')) -%}
SELECT a.*, ROW_NUMBER() OVER (PARTITION BY a.blended_user_id ORDER BY a.session_start_tstamp, a.session_id)
         AS session_number
FROM (
  SELECT {{ names }}, o.blended_user_id
  FROM {{ stored }} AS o
  WHERE o.blended_user_id IN (SELECT u.blended_user_id FROM {{ users }} AS u)
    AND NOT EXISTS (SELECT 1 FROM {{ devices }} AS d WHERE d.anonymous_id = o.anonymous_id)
  UNION ALL
  SELECT {{ names }}, n.blended_user_id FROM {{ stitched }} AS n
) AS a
{%- endcall %};
