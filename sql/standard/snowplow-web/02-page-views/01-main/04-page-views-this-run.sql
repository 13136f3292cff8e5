{%- set enrichments = namespace(joined=[], selected=[], added=[], absent=[]) -%}
{{- page_view_enrichments(enrichments, enable_iab, enable_ua_parser, enable_yauaa) -}}
{%- set bots = '(bot|crawl|slurp|spider|archiv|spinn|sniff|seo|audit|survey|pingdom|worm|capture|browsershots|screenshots|analyz|index|thumb|check|facebookexternalhit|phantomjs|a_archiver|semalt)' -%}
-- One row per page view of the sessions read this run, tagged with the batch that wrote it.
-- Page views are ordered by derived_tstamp, then dvce_created_tstamp, then event_id, so ties
-- never depend on the plan (the page view id says nothing about order).
{% call replace_table(table(scratch_schema, 'page_views_this_run')) -%}
WITH page_view_events AS (
  SELECT ev.*,
         ROW_NUMBER() OVER (PARTITION BY ev.page_view_id ORDER BY ev.derived_tstamp, ev.dvce_created_tstamp,
                                                                   ev.event_id) AS dedupe_rank
  FROM {{ table(scratch_schema, 'pv_events') }} AS ev
  WHERE ev.event_name = 'page_view' AND ev.page_view_id IS NOT NULL
{%- if ua_bot_filter %}
    AND NOT {{ regex_match("LOWER(COALESCE(ev.useragent, ''))", "'" ~ bots ~ "'") }}
{%- endif %}
{%- if duplicates == 'exclude' %}
    AND NOT EXISTS (SELECT 1 FROM {{ table(scratch_schema, 'pv_page_view_id_duplicates_this_run') }} AS d
                    WHERE d.page_view_id = ev.page_view_id)
{%- endif %}
),
page_views AS (
  SELECT pv.*,
         ROW_NUMBER() OVER (PARTITION BY pv.domain_sessionid
                            ORDER BY pv.derived_tstamp, pv.dvce_created_tstamp, pv.event_id) AS page_view_in_session_index,
         COUNT(*) OVER (PARTITION BY pv.domain_sessionid) AS page_views_in_session
  FROM page_view_events AS pv
  WHERE pv.dedupe_rank = 1
)
SELECT
  CAST({{ batch_id }} AS BIGINT) AS batch_id,
  pv.page_view_id, pv.event_id, pv.app_id,
  pv.user_id, pv.domain_userid, pv.network_userid,
  pv.domain_sessionid, pv.domain_sessionidx,
  pv.page_view_in_session_index, pv.page_views_in_session,
  pv.dvce_created_tstamp, pv.collector_tstamp, pv.derived_tstamp,
  pv.derived_tstamp AS start_tstamp,
  COALESCE(en.last_ping_tstamp, pv.derived_tstamp) AS end_tstamp,
  COALESCE(en.engaged_time_in_s, 0) AS engaged_time_in_s,
  CAST({{ seconds_between('pv.derived_tstamp', 'COALESCE(en.last_ping_tstamp, pv.derived_tstamp)') }} AS BIGINT)
    AS absolute_time_in_s,
  en.hmax AS horizontal_pixels_scrolled,
  en.vmax AS vertical_pixels_scrolled,
  CASE WHEN en.doc_width > 0
       THEN CAST(ROUND(100.0 * LEAST(en.hmax + COALESCE(en.br_viewwidth, 0), en.doc_width) / en.doc_width) AS BIGINT)
  END AS horizontal_percentage_scrolled,
  CASE WHEN en.doc_height > 0
       THEN CAST(ROUND(100.0 * LEAST(en.vmax + COALESCE(en.br_viewheight, 0), en.doc_height) / en.doc_height) AS BIGINT)
  END AS vertical_percentage_scrolled,
  en.doc_width, en.doc_height, en.br_viewwidth, en.br_viewheight,
  pv.page_title, pv.page_url, pv.page_urlscheme, pv.page_urlhost, pv.page_urlport, pv.page_urlpath,
  pv.page_urlquery, pv.page_urlfragment,
  pv.page_referrer, pv.refr_urlscheme, pv.refr_urlhost, pv.refr_urlport, pv.refr_urlpath,
  pv.refr_urlquery, pv.refr_urlfragment, pv.refr_medium, pv.refr_source, pv.refr_term,
  pv.mkt_medium, pv.mkt_source, pv.mkt_term, pv.mkt_content, pv.mkt_campaign, pv.mkt_clickid, pv.mkt_network,
  pv.geo_country, pv.geo_region, pv.geo_region_name, pv.geo_city, pv.geo_zipcode,
  pv.geo_latitude, pv.geo_longitude, pv.geo_timezone,
  pv.user_ipaddress, pv.useragent, pv.br_lang, pv.br_name, pv.br_family, pv.br_version, pv.br_renderengine,
  pv.os_name, pv.os_family, pv.os_manufacturer, pv.os_timezone,
  pv.dvce_type, pv.dvce_ismobile, pv.dvce_screenwidth, pv.dvce_screenheight
{%- for c in enrichments.selected %},
  {{ c.alias }}.{{ c.column }}{{ ' AS ' ~ c.name if c.name != c.column }}
{%- endfor %}
FROM page_views AS pv
LEFT JOIN {{ table(scratch_schema, 'pv_engagement') }} AS en
  ON en.domain_sessionid = pv.domain_sessionid AND en.page_view_id = pv.page_view_id
{%- for alias, context in enrichments.joined %}
LEFT JOIN (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.root_id, c.root_tstamp ORDER BY c.root_id) AS context_rank
  FROM {{ table(input_schema, context) }} AS c
  WHERE c.root_id IN (SELECT event_id FROM {{ table(scratch_schema, 'pv_events') }} WHERE event_name = 'page_view')
) AS {{ alias }} ON {{ alias }}.root_id = pv.event_id AND {{ alias }}.root_tstamp = pv.collector_tstamp
  AND {{ alias }}.context_rank = 1
{%- endfor %}
{%- endcall %};
