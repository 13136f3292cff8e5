-- Every session of each user since their start, re-aggregated.
{% call replace_table(table(scratch_schema, 'users_this_run')) -%}
WITH user_sessions AS (
  SELECT s.*,
         ROW_NUMBER() OVER (PARTITION BY s.domain_userid ORDER BY s.start_tstamp, s.domain_sessionid) AS first_rank,
         ROW_NUMBER() OVER (PARTITION BY s.domain_userid ORDER BY s.start_tstamp DESC, s.domain_sessionid DESC)
           AS last_rank
  FROM {{ table(output_schema, 'sessions') }} AS s
  JOIN {{ table(scratch_schema, 'users_to_update') }} AS u
    ON u.domain_userid = s.domain_userid AND s.start_tstamp >= u.start_tstamp
),
totals AS (
  SELECT domain_userid, MIN(start_tstamp) AS start_tstamp, MAX(end_tstamp) AS end_tstamp,
         SUM(page_views) AS page_views, COUNT(*) AS sessions, SUM(engaged_time_in_s) AS engaged_time_in_s
  FROM user_sessions
  GROUP BY domain_userid
),
known_user_id AS (
  SELECT domain_userid, user_id
  FROM (SELECT domain_userid, user_id,
               ROW_NUMBER() OVER (PARTITION BY domain_userid ORDER BY start_tstamp DESC, domain_sessionid DESC) AS r
        FROM user_sessions WHERE user_id IS NOT NULL AND user_id <> '') AS ids
  WHERE r = 1
)
SELECT
  t.domain_userid, k.user_id, f.network_userid,
  t.start_tstamp, t.end_tstamp, t.page_views, t.sessions, t.engaged_time_in_s,
  f.first_page_title, f.first_page_url, f.first_page_urlscheme, f.first_page_urlhost, f.first_page_urlpath,
  f.first_page_urlquery, f.first_page_urlfragment,
  l.last_page_title, l.last_page_url, l.last_page_urlscheme, l.last_page_urlhost, l.last_page_urlpath,
  l.last_page_urlquery, l.last_page_urlfragment,
  f.page_referrer, f.refr_urlscheme, f.refr_urlhost, f.refr_urlpath, f.refr_urlquery,
  f.refr_medium, f.refr_source, f.refr_term,
  f.mkt_medium, f.mkt_source, f.mkt_term, f.mkt_content, f.mkt_campaign, f.mkt_clickid, f.mkt_network
FROM totals AS t
JOIN user_sessions AS f ON f.domain_userid = t.domain_userid AND f.first_rank = 1
JOIN user_sessions AS l ON l.domain_userid = t.domain_userid AND l.last_rank = 1
LEFT JOIN known_user_id AS k ON k.domain_userid = t.domain_userid
{%- endcall %};
