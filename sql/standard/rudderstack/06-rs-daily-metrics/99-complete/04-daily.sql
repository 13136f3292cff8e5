-- The dates affected: main's (the rows replaced and written, the sessions replaced), the
-- sessions just written, and every active date of a user whose first touch changed (a merge
-- of two visitors moves all their dates between first-touch cells). Each is recomputed whole
-- in the three daily tables; a date left with no activity and no session loses its rows.
{%- set day = quote('date') %}
{%- set activity = table(output_schema, 'rs_daily_visitor_activity') %}
{%- set sessions = table(output_schema, 'rs_session_metrics') %}
{%- set touch = table(output_schema, 'rs_user_first_touch') %}
{%- set old_touch = table(scratch_schema, 'rs_daily_metrics_old_touch') %}
{%- set dates = table(scratch_schema, 'rs_daily_metrics_all_dates') %}
{%- set in_dates = ' IN (SELECT x.' ~ day ~ ' FROM ' ~ dates ~ ' AS x)' %}
{% call replace_table(dates) -%}
SELECT {{ day }} FROM {{ table(scratch_schema, 'rs_daily_metrics_dates') }}
UNION
SELECT session_date FROM {{ table(scratch_schema, 'rs_daily_metrics_sessions_new') }}
UNION
SELECT a.{{ day }}
FROM {{ activity }} AS a
WHERE a.visitor_id IN (
  SELECT u.visitor_id
  FROM {{ table(scratch_schema, 'rs_daily_metrics_users') }} AS u
  LEFT JOIN {{ old_touch }} AS o ON o.visitor_id = u.visitor_id
  LEFT JOIN {{ touch }} AS n ON n.visitor_id = u.visitor_id
  WHERE {{ rs_differs('o.visitor_id', 'n.visitor_id') }} OR {{ rs_differs('o.channel', 'n.channel') }}
     OR {{ rs_differs('o.source_medium', 'n.source_medium') }} OR {{ rs_differs('o.referrer', 'n.referrer') }})
{%- endcall %};

{#- session measures over the rows of `relation`, grouped by `group` -#}
{%- set measures -%}
COUNT(*) AS total_sessions, SUM(CASE WHEN s.is_bounce THEN 1 ELSE 0 END) AS bounced_sessions,
       SUM(s.session_length_s) AS total_session_length_s
{%- endset %}

{{ delete_insert(table(output_schema, 'rs_daily_metrics'),
                 ['date', 'dau', 'total_sessions', 'bounced_sessions', 'bounce_rate', 'total_session_length_s',
                  'avg_session_length_s'],
                 '(SELECT COALESCE(a.' ~ day ~ ', s.' ~ day ~ ') AS ' ~ day ~ ', COALESCE(a.dau, 0) AS dau, '
                 ~ 'COALESCE(s.total_sessions, 0) AS total_sessions, COALESCE(s.bounced_sessions, 0) AS bounced_sessions, '
                 ~ 'CAST(s.bounced_sessions AS DOUBLE PRECISION) / s.total_sessions AS bounce_rate, '
                 ~ 'COALESCE(s.total_session_length_s, 0) AS total_session_length_s, '
                 ~ 'CAST(s.total_session_length_s AS DOUBLE PRECISION) / s.total_sessions AS avg_session_length_s '
                 ~ 'FROM (SELECT ' ~ day ~ ', COUNT(*) AS dau FROM ' ~ activity ~ ' WHERE ' ~ day ~ in_dates
                 ~ ' GROUP BY ' ~ day ~ ') AS a FULL OUTER JOIN (SELECT s.session_date AS ' ~ day ~ ', ' ~ measures
                 ~ ' FROM ' ~ sessions ~ ' AS s WHERE s.session_date' ~ in_dates ~ ' GROUP BY s.session_date) AS s '
                 ~ 'ON s.' ~ day ~ ' = a.' ~ day ~ ') AS d',
                 day ~ in_dates) }};

{{ delete_insert(table(output_schema, 'rs_daily_session_metrics_by_dim'),
                 ['date', 'channel', 'source_medium', 'referrer', 'device_type', 'total_sessions', 'bounced_sessions',
                  'bounce_rate', 'total_session_length_s', 'avg_session_length_s'],
                 '(SELECT g.*, CAST(g.bounced_sessions AS DOUBLE PRECISION) / g.total_sessions AS bounce_rate, '
                 ~ 'CAST(g.total_session_length_s AS DOUBLE PRECISION) / g.total_sessions AS avg_session_length_s '
                 ~ 'FROM (SELECT s.session_date AS ' ~ day ~ ', s.channel, s.source_medium, s.referrer, s.device_type, '
                 ~ measures ~ ' FROM ' ~ sessions ~ ' AS s WHERE s.session_date' ~ in_dates
                 ~ ' GROUP BY s.session_date, s.channel, s.source_medium, s.referrer, s.device_type) AS g) AS d',
                 day ~ in_dates) }};

{{ delete_insert(table(output_schema, 'rs_daily_dau_by_first_touch'),
                 ['date', 'channel', 'source_medium', 'referrer', 'dau'],
                 '(SELECT a.' ~ day ~ ', t.channel, t.source_medium, t.referrer, COUNT(*) AS dau FROM ' ~ activity
                 ~ ' AS a LEFT JOIN ' ~ touch ~ ' AS t ON t.visitor_id = a.visitor_id WHERE a.' ~ day ~ in_dates
                 ~ ' GROUP BY a.' ~ day ~ ', t.channel, t.source_medium, t.referrer) AS d',
                 day ~ in_dates) }};
