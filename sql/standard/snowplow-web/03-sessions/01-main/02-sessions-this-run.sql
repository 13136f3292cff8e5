-- One row per session that still has page views; its first and last page views are those
-- page views ranked first and last in the session (page_view_in_session_index).
{% call replace_table(table(scratch_schema, 'sessions_this_run')) -%}
WITH page_views AS (
  SELECT pv.*,
         ROW_NUMBER() OVER (PARTITION BY pv.domain_sessionid ORDER BY pv.page_view_in_session_index) AS first_rank,
         ROW_NUMBER() OVER (PARTITION BY pv.domain_sessionid ORDER BY pv.page_view_in_session_index DESC) AS last_rank
  FROM {{ table(scratch_schema, 'sessions_page_views') }} AS pv
  WHERE pv.page_view_id IS NOT NULL
),
totals AS (
  SELECT domain_sessionid, MIN(start_tstamp) AS start_tstamp, MAX(end_tstamp) AS end_tstamp,
         COUNT(*) AS page_views, SUM(engaged_time_in_s) AS engaged_time_in_s
  FROM page_views
  GROUP BY domain_sessionid
)
SELECT
  CAST({{ batch_id }} AS BIGINT) AS batch_id,
  f.app_id, f.domain_sessionid, f.domain_sessionidx, f.domain_userid, f.user_id, f.network_userid,
  t.start_tstamp, t.end_tstamp, t.page_views, t.engaged_time_in_s,
  CAST({{ seconds_between('t.start_tstamp', 't.end_tstamp') }} AS BIGINT) AS absolute_time_in_s,
  f.page_title AS first_page_title, f.page_url AS first_page_url, f.page_urlscheme AS first_page_urlscheme,
  f.page_urlhost AS first_page_urlhost, f.page_urlpath AS first_page_urlpath,
  f.page_urlquery AS first_page_urlquery, f.page_urlfragment AS first_page_urlfragment,
  l.page_title AS last_page_title, l.page_url AS last_page_url, l.page_urlscheme AS last_page_urlscheme,
  l.page_urlhost AS last_page_urlhost, l.page_urlpath AS last_page_urlpath,
  l.page_urlquery AS last_page_urlquery, l.page_urlfragment AS last_page_urlfragment,
  f.page_referrer, f.refr_urlscheme, f.refr_urlhost, f.refr_urlpath, f.refr_urlquery,
  f.refr_medium, f.refr_source, f.refr_term,
  f.mkt_medium, f.mkt_source, f.mkt_term, f.mkt_content, f.mkt_campaign, f.mkt_clickid, f.mkt_network,
  f.geo_country, f.geo_region, f.geo_region_name, f.geo_city, f.geo_zipcode, f.geo_latitude, f.geo_longitude,
  f.geo_timezone, f.user_ipaddress, f.useragent, f.br_name, f.br_family, f.br_version, f.br_lang,
  f.os_name, f.os_family, f.os_manufacturer, f.os_timezone, f.dvce_type, f.dvce_ismobile,
  f.dvce_screenwidth, f.dvce_screenheight
FROM totals AS t
JOIN page_views AS f ON f.domain_sessionid = t.domain_sessionid AND f.first_rank = 1
JOIN page_views AS l ON l.domain_sessionid = t.domain_sessionid AND l.last_rank = 1
{%- endcall %};
