-- What the rows replaced and written touch, read before complete changes anything: their
-- sessions, their (user, date) pairs, the users whose first activity event may have moved
-- (one of these rows is no later than the stored first touch, or none is stored) with the
-- first touch stored for them, and the dates of those rows and of the sessions about to be
-- replaced.
{%- set new_rows = table(scratch_schema, 'rs_daily_metrics_events_this_run') %}
{%- set replaced = table(scratch_schema, 'rs_daily_metrics_replaced') %}
{%- set touched = table(scratch_schema, 'rs_daily_metrics_sessions_touched') %}
{%- set users = table(scratch_schema, 'rs_daily_metrics_users') %}
{%- set both = '(SELECT event_id, user_key, event_tstamp, event_date, session_key FROM ' ~ replaced
               ~ ' UNION ALL SELECT event_id, user_key, event_tstamp, event_date, session_key FROM ' ~ new_rows ~ ')' %}
{%- set day = quote('date') %}
{% call replace_table(touched) -%}
SELECT DISTINCT session_key FROM {{ both }} AS b
{%- endcall %};

{% call replace_table(table(scratch_schema, 'rs_daily_metrics_pairs')) -%}
SELECT DISTINCT user_key AS visitor_id, event_date AS {{ day }} FROM {{ both }} AS b WHERE user_key IS NOT NULL
{%- endcall %};

{% call replace_table(users) -%}
SELECT b.user_key AS visitor_id
FROM {{ both }} AS b
LEFT JOIN {{ table(output_schema, 'rs_user_first_touch') }} AS t ON t.visitor_id = b.user_key
WHERE b.user_key IS NOT NULL
GROUP BY b.user_key, t.first_seen_at
HAVING t.first_seen_at IS NULL OR MIN(b.event_tstamp) <= t.first_seen_at
{%- endcall %};

{% call replace_table(table(scratch_schema, 'rs_daily_metrics_old_touch')) -%}
SELECT t.visitor_id, t.referrer, t.source_medium, t.channel
FROM {{ table(output_schema, 'rs_user_first_touch') }} AS t
WHERE t.visitor_id IN (SELECT u.visitor_id FROM {{ users }} AS u)
{%- endcall %};

{% call replace_table(table(scratch_schema, 'rs_daily_metrics_dates')) -%}
SELECT event_date AS {{ day }} FROM {{ both }} AS b
UNION
SELECT s.session_date FROM {{ table(output_schema, 'rs_session_metrics') }} AS s
WHERE s.session_id IN (SELECT t.session_key FROM {{ touched }} AS t)
{%- endcall %};
