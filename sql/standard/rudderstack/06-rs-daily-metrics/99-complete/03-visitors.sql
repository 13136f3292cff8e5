-- Each (user, date) pair touched, recomputed from this module's events of activity_sources:
-- events, and whether a track and a page were among them (no such event: no row). Then the
-- first touch of each user main named: the first activity event (ties to the smaller id) and
-- its dimensions (a user left with no activity event loses its row).
{%- set events = table(output_schema, 'rs_metrics_events') %}
{%- set pairs = table(scratch_schema, 'rs_daily_metrics_pairs') %}
{%- set users = table(scratch_schema, 'rs_daily_metrics_users') %}
{%- set activity = table(output_schema, 'rs_daily_visitor_activity') %}
{%- set touch = table(output_schema, 'rs_user_first_touch') %}
{%- set day = quote('date') %}
{%- set types = rs_event_types(activity_sources, ['tracks', 'pages', 'screens', 'identifies']) %}
{{ delete_insert(activity, ['date', 'visitor_id', 'n_events', 'has_track', 'has_page'],
                 '(SELECT m.event_date AS ' ~ day ~ ', m.user_key AS visitor_id, COUNT(*) AS n_events, '
                 ~ "MAX(CASE WHEN m.event_type = 'track' THEN 1 ELSE 0 END) = 1 AS has_track, "
                 ~ "MAX(CASE WHEN m.event_type = 'page' THEN 1 ELSE 0 END) = 1 AS has_page "
                 ~ 'FROM ' ~ events ~ ' AS m JOIN ' ~ pairs ~ ' AS p ON p.visitor_id = m.user_key AND p.' ~ day
                 ~ ' = m.event_date WHERE m.event_type IN (' ~ types ~ ') GROUP BY m.event_date, m.user_key) AS a',
                 same_keys(activity, pairs, ['visitor_id', day])) }};

{{ delete_insert(touch, ['visitor_id', 'first_seen_at', 'first_event_id', 'referrer', 'utm_source', 'utm_medium',
                         'source_medium', 'channel'],
                 '(SELECT f.user_key AS visitor_id, f.event_tstamp AS first_seen_at, f.event_id AS first_event_id, '
                 ~ 'd.referrer, d.utm_source, d.utm_medium, d.source_medium, d.channel FROM '
                 ~ first_per('(SELECT m.event_id, m.user_key, m.event_tstamp FROM ' ~ events ~ ' AS m WHERE m.user_key IN '
                             ~ '(SELECT u.visitor_id FROM ' ~ users ~ ' AS u) AND m.event_type IN (' ~ types ~ '))',
                             'user_key', 'event_tstamp, event_id')
                 ~ ' AS f LEFT JOIN ' ~ table(output_schema, 'rs_metrics_event_dims') ~ ' AS d ON d.event_id = f.event_id) AS t',
                 'visitor_id IN (SELECT u.visitor_id FROM ' ~ users ~ ' AS u)') }};
