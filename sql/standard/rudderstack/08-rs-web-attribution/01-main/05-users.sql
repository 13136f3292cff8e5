-- The blended users whose sessions change: the one each re-derived session had (stored) and
-- the one it has now (its device's stitched user, else the device), with the earliest and the
-- latest start among those sessions. Each of them is renumbered whole: its other stored
-- sessions and the re-derived ones, by start (ties by session id).
{%- set devices = table(scratch_schema, 'web_attr_devices') %}
{%- set sessions = table(scratch_schema, 'web_attr_sessions') %}
{%- set stitched = table(scratch_schema, 'web_attr_stitched') %}
{%- set users = table(scratch_schema, 'web_attr_users') %}
{%- set stored = table(output_schema, 'web_sessions') %}
{%- set names = rs_web_fields('session', 'names', pass_through=pass_through_columns) %}
{% call replace_table(stitched) -%}
SELECT {{ rs_web_fields('session', 'names', 's', pass_through=pass_through_columns) }}, COALESCE(u.user_id, s.anonymous_id) AS blended_user_id
FROM {{ sessions }} AS s
LEFT JOIN {{ table(scratch_schema, 'web_attr_stitching') }} AS u ON u.anonymous_id = s.anonymous_id
{%- endcall %};

{% call replace_table(users) -%}
SELECT blended_user_id, MIN(session_start_tstamp) AS changed_from, MAX(session_start_tstamp) AS changed_to
FROM (
  SELECT n.blended_user_id, n.session_start_tstamp FROM {{ stitched }} AS n
  UNION ALL
  SELECT o.blended_user_id, o.session_start_tstamp FROM {{ stored }} AS o
  WHERE o.anonymous_id IN (SELECT d.anonymous_id FROM {{ devices }} AS d)
) AS changed
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
