-- Every session of each user since their start, re-aggregated: the user's first session carries
-- the user's totals, the last session's last page and the newest user id, all by window
-- functions over one read of the sessions. No join of the sessions with themselves: on
-- PostgreSQL that join of a CTE (no statistics) became a nested loop, 18 s of a 1M-event run.
{%- set newest_first = 'PARTITION BY s.domain_userid ORDER BY s.start_tstamp DESC, s.domain_sessionid DESC '
                       'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW' %}
{%- set known = "s.user_id IS NOT NULL AND s.user_id <> ''" %}
{%- set last_fields = ['page_title', 'page_url', 'page_urlscheme', 'page_urlhost', 'page_urlpath', 'page_urlquery',
                       'page_urlfragment'] %}
{% call replace_table(table(scratch_schema, 'users_this_run')) -%}
WITH user_sessions AS (
  SELECT s.*,
         ROW_NUMBER() OVER (PARTITION BY s.domain_userid ORDER BY s.start_tstamp, s.domain_sessionid) AS first_rank,
{%- for field in last_fields %}
         FIRST_VALUE(s.last_{{ field }}) OVER ({{ newest_first }}) AS user_last_{{ field }},
{%- endfor %}
         FIRST_VALUE(CASE WHEN {{ known }} THEN s.user_id END)
           OVER (PARTITION BY s.domain_userid ORDER BY CASE WHEN {{ known }} THEN 0 ELSE 1 END,
                 s.start_tstamp DESC, s.domain_sessionid DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
           AS newest_user_id,
         MIN(s.start_tstamp) OVER (PARTITION BY s.domain_userid) AS user_start_tstamp,
         MAX(s.end_tstamp) OVER (PARTITION BY s.domain_userid) AS user_end_tstamp,
         SUM(s.page_views) OVER (PARTITION BY s.domain_userid) AS user_page_views,
         COUNT(*) OVER (PARTITION BY s.domain_userid) AS user_sessions,
         SUM(s.engaged_time_in_s) OVER (PARTITION BY s.domain_userid) AS user_engaged_time_in_s
  FROM {{ table(output_schema, 'sessions') }} AS s
  JOIN {{ table(scratch_schema, 'users_to_update') }} AS u
    ON u.domain_userid = s.domain_userid AND s.start_tstamp >= u.start_tstamp
)
SELECT
  f.domain_userid, f.newest_user_id AS user_id, f.network_userid,
  f.user_start_tstamp AS start_tstamp, f.user_end_tstamp AS end_tstamp, f.user_page_views AS page_views,
  f.user_sessions AS sessions, f.user_engaged_time_in_s AS engaged_time_in_s,
  f.first_page_title, f.first_page_url, f.first_page_urlscheme, f.first_page_urlhost, f.first_page_urlpath,
  f.first_page_urlquery, f.first_page_urlfragment,
{%- for field in last_fields %}
  f.user_last_{{ field }} AS last_{{ field }},
{%- endfor %}
  f.page_referrer, f.refr_urlscheme, f.refr_urlhost, f.refr_urlpath, f.refr_urlquery,
  f.refr_medium, f.refr_source, f.refr_term,
  f.mkt_medium, f.mkt_source, f.mkt_term, f.mkt_content, f.mkt_campaign, f.mkt_clickid, f.mkt_network
FROM user_sessions AS f
WHERE f.first_rank = 1
{%- endcall %};
