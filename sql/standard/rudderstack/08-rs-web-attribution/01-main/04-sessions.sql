-- The page views of each device from its restart point, as they stand after this run (the
-- stored ones not read again, and the ones read now that are not removed), sessionized: a page
-- view starts a session when it comes more than inactivity_cutoff seconds after the previous
-- one (exact arithmetic; ties in time ordered by id), and the first from the restart point
-- always does (03-devices.sql). Page view and session numbers go on from the kept ones. A
-- session's id is the MD5 of the device and its number. Then the sessions (the first page
-- view's source, the last one's page, each pass-through column on both as first_<c> /
-- last_<c>, the referrer's medium from referrer_mapping, the channel) and each device's
-- stitching, over its kept sessions and its page views sessionized again.
{%- set pages_in = table(scratch_schema, 'web_attr_pages_in') %}
{%- set devices = table(scratch_schema, 'web_attr_devices') %}
{%- set this_run = table(scratch_schema, 'web_attr_page_views_this_run') %}
{%- set sessions_raw = table(scratch_schema, 'web_attr_sessions_raw') %}
{%- set sessions = table(scratch_schema, 'web_attr_sessions') %}
{%- set names = rs_web_fields('page_view', 'names', pass_through=pass_through_columns) %}
{% call replace_table(this_run) -%}
WITH page_views AS (
  SELECT {{ rs_web_fields('page_view', 'names', 'p', pass_through=pass_through_columns) }}
  FROM {{ table(output_schema, 'web_page_views') }} AS p
  JOIN {{ devices }} AS d ON d.anonymous_id = p.anonymous_id AND p.tstamp >= d.restart_at
  WHERE NOT EXISTS (SELECT 1 FROM {{ pages_in }} AS i WHERE i.page_view_id = p.page_view_id)
  UNION ALL
  SELECT {{ names }} FROM {{ pages_in }} AS i WHERE NOT i.removed
),
gaps AS (
  SELECT p.*, d.kept_sessions, d.kept_page_views,
         LAG(p.tstamp) OVER (PARTITION BY p.anonymous_id ORDER BY p.tstamp, p.page_view_id) AS previous_tstamp
  FROM page_views AS p
  JOIN {{ devices }} AS d ON d.anonymous_id = p.anonymous_id
),
starts AS (
  SELECT g.*,
         CASE WHEN g.previous_tstamp IS NULL
                OR {{ rs_starts_session('g.previous_tstamp', 'g.tstamp', 'seconds', inactivity_cutoff) }}
              THEN 1 ELSE 0 END AS starts_session
  FROM gaps AS g
),
numbered AS (
  SELECT s.*,
         s.kept_page_views + ROW_NUMBER() OVER (PARTITION BY s.anonymous_id ORDER BY s.tstamp, s.page_view_id)
           AS page_view_number,
         s.kept_sessions + SUM(s.starts_session) OVER (PARTITION BY s.anonymous_id ORDER BY s.tstamp, s.page_view_id
                                                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_number
  FROM starts AS s
)
SELECT {{ names }}, n.page_view_number, n.session_number,
       {{ hash_md5("n.anonymous_id || '/' || CAST(n.session_number AS VARCHAR(20))") }} AS session_id
FROM numbered AS n
{%- endcall %};

{#- PostgreSQL inlines a subquery's expressions into every rule that reads them: the referrer's
    regular expressions are computed into a table of their own before the channel rules. One
    pass of window functions over the page views, kept at each session's first: the first page
    view's fields are that row's, the last one's come from LAST_VALUE over the whole session.
    (Joining the sessions to their first and to their last page view, each found by
    ROW_NUMBER() = 1, let PostgreSQL guess a few dozen rows for each side and nest-loop the
    two: 11 million comparisons for 3,383 sessions.) #}
{%- set session = 'PARTITION BY p.session_id ORDER BY p.tstamp, p.page_view_id' %}
{%- set whole = 'OVER (' ~ session ~ ' ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)' %}
{%- set last_fields = ['page_url', 'page_url_host', 'page_url_path', 'page_url_query'] + pass_through_columns | list %}
{% call replace_table(sessions_raw) -%}
WITH ordered AS (
  SELECT p.*,
         ROW_NUMBER() OVER ({{ session }}) AS page_in_session,
         COUNT(*) OVER (PARTITION BY p.session_id) AS page_views,
         MAX(p.tstamp) OVER (PARTITION BY p.session_id) AS session_end_tstamp,
         {%- for c in last_fields %}
         LAST_VALUE(p.{{ quote(c) }}) {{ whole }} AS {{ quote('last_' ~ c) }}{{ ',' if not loop.last }}
         {%- endfor %}
  FROM {{ this_run }} AS p
)
SELECT f.session_id, f.anonymous_id, f.tstamp AS session_start_tstamp, f.session_end_tstamp, f.page_views,
       f.page_url AS first_page_url, f.page_url_host AS first_page_url_host,
       f.page_url_path AS first_page_url_path, f.page_url_query AS first_page_url_query,
       f.utm_source, f.utm_medium, f.utm_campaign, f.utm_term, f.utm_content, f.gclid, f.referrer, f.referrer_host,
       f.device, f.device_category,
       f.last_page_url, f.last_page_url_host, f.last_page_url_path, f.last_page_url_query,
       {%- for c in pass_through_columns %} f.{{ quote(c) }} AS {{ quote('first_' ~ c) }}, f.{{ quote('last_' ~ c) }},{% endfor %}
       {{ rs_seconds('f.tstamp', 'f.session_end_tstamp') }} AS duration_in_s,
       m.medium AS referrer_medium, m.source AS referrer_source,
       {{ rs_referrer('f.referrer', 'f.referrer_host') }} AS referrer_dim
FROM ordered AS f
LEFT JOIN {{ table(output_schema, 'referrer_mapping') }} AS m ON m.host = f.referrer_host
WHERE f.page_in_session = 1
{%- endcall %};

-- The channel: the event-analytics rules (paid before organic) on the first page view's
-- referrer and campaign; when they find nothing, the referrer's medium (search, social, email).
{% call replace_table(sessions) -%}
SELECT c.*,
       CASE WHEN c.duration_in_s < 10 THEN '0s to 9s' WHEN c.duration_in_s < 30 THEN '10s to 29s'
            WHEN c.duration_in_s < 60 THEN '30s to 59s' ELSE '60s or more' END AS duration_in_s_tier,
       CASE WHEN c.rule_channel <> '(other)' THEN c.rule_channel
            WHEN c.referrer_medium = 'search' THEN 'Organic Search'
            WHEN c.referrer_medium = 'social' THEN 'Social'
            WHEN c.referrer_medium = 'email' THEN 'Email'
            ELSE c.rule_channel END AS channel
FROM (
  SELECT s.*,
         {{ rs_channel(rs_campaign_value('s.utm_source', 's.referrer_dim'), rs_campaign_value('s.utm_medium', 's.referrer_dim'),
                       's.referrer_dim') }} AS rule_channel
  FROM {{ sessions_raw }} AS s
) AS c
{%- endcall %};

{% call replace_table(table(scratch_schema, 'web_attr_stitching')) -%}
SELECT p.anonymous_id,
       MAX(CASE WHEN m.dbt_visitor_id <> p.anonymous_id THEN m.dbt_visitor_id END) AS user_id,
       MIN(p.first_seen_at) AS first_seen_at, MAX(p.last_seen_at) AS last_seen_at
FROM (
  SELECT anonymous_id, tstamp AS first_seen_at, tstamp AS last_seen_at FROM {{ this_run }}
  UNION ALL
  SELECT anonymous_id, session_start_tstamp, session_end_tstamp FROM {{ table(scratch_schema, 'web_attr_kept') }}
) AS p
LEFT JOIN {{ table(scratch_schema, 'web_attr_mapping') }} AS m ON m.alias = p.anonymous_id
GROUP BY p.anonymous_id
{%- endcall %};
