-- One row per session that still has page views: its first page view (page_view_in_session_index)
-- carries the session's totals and its last page's fields, all by window functions over one read
-- of the page views. No join of the page views with themselves: on PostgreSQL that join of a
-- CTE (no statistics) turned into a nested loop, quadratic in the sessions of a full run.
{%- set newest_first = 'PARTITION BY pv.domain_sessionid ORDER BY pv.page_view_in_session_index DESC '
                       'ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW' %}
{%- set last_fields = ['page_title', 'page_url', 'page_urlscheme', 'page_urlhost', 'page_urlpath', 'page_urlquery',
                       'page_urlfragment'] %}
{% call replace_table(table(scratch_schema, 'sessions_this_run')) -%}
WITH page_views AS (
  SELECT pv.*,
         ROW_NUMBER() OVER (PARTITION BY pv.domain_sessionid ORDER BY pv.page_view_in_session_index) AS first_rank,
{%- for field in last_fields %}
         FIRST_VALUE(pv.{{ field }}) OVER ({{ newest_first }}) AS last_{{ field }},
{%- endfor %}
         MIN(pv.start_tstamp) OVER (PARTITION BY pv.domain_sessionid) AS session_start_tstamp,
         MAX(pv.end_tstamp) OVER (PARTITION BY pv.domain_sessionid) AS session_end_tstamp,
         COUNT(*) OVER (PARTITION BY pv.domain_sessionid) AS session_page_views,
         SUM(pv.engaged_time_in_s) OVER (PARTITION BY pv.domain_sessionid) AS session_engaged_time_in_s
  FROM {{ table(scratch_schema, 'sessions_page_views') }} AS pv
  WHERE pv.page_view_id IS NOT NULL
)
SELECT
  CAST({{ batch_id }} AS BIGINT) AS batch_id,
  f.app_id, f.domain_sessionid, f.domain_sessionidx, f.domain_userid, f.user_id, f.network_userid,
  f.session_start_tstamp AS start_tstamp, f.session_end_tstamp AS end_tstamp, f.session_page_views AS page_views,
  f.session_engaged_time_in_s AS engaged_time_in_s,
  CAST({{ seconds_between('f.session_start_tstamp', 'f.session_end_tstamp') }} AS BIGINT) AS absolute_time_in_s,
  f.page_title AS first_page_title, f.page_url AS first_page_url, f.page_urlscheme AS first_page_urlscheme,
  f.page_urlhost AS first_page_urlhost, f.page_urlpath AS first_page_urlpath,
  f.page_urlquery AS first_page_urlquery, f.page_urlfragment AS first_page_urlfragment,
  f.last_page_title, f.last_page_url, f.last_page_urlscheme, f.last_page_urlhost, f.last_page_urlpath,
  f.last_page_urlquery, f.last_page_urlfragment,
  f.page_referrer, f.refr_urlscheme, f.refr_urlhost, f.refr_urlpath, f.refr_urlquery,
  f.refr_medium, f.refr_source, f.refr_term,
  f.mkt_medium, f.mkt_source, f.mkt_term, f.mkt_content, f.mkt_campaign, f.mkt_clickid, f.mkt_network,
  f.geo_country, f.geo_region, f.geo_region_name, f.geo_city, f.geo_zipcode, f.geo_latitude, f.geo_longitude,
  f.geo_timezone, f.user_ipaddress, f.useragent, f.br_name, f.br_family, f.br_version, f.br_lang,
  f.os_name, f.os_family, f.os_manufacturer, f.os_timezone, f.dvce_type, f.dvce_ismobile,
  f.dvce_screenwidth, f.dvce_screenheight
FROM page_views AS f
WHERE f.first_rank = 1
{%- endcall %};
