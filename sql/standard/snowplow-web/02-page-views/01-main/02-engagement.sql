-- Engaged time: one heartbeat per distinct heartbeat interval holding a ping, less the
-- first, plus the minimum visit length; 0 without pings. Scroll offsets clamped to the page.
-- Per session and page view: a tab left open past the session timeout sends pings with the
-- old page view id into a new session, and they belong to that session.
{% call replace_table(table(scratch_schema, 'pv_engagement')) -%}
SELECT
  domain_sessionid,
  page_view_id,
  MAX(CASE WHEN event_name = 'page_ping' THEN derived_tstamp END) AS last_ping_tstamp,
  CASE WHEN COUNT(CASE WHEN event_name = 'page_ping' THEN 1 END) = 0 THEN 0
       ELSE {{ number(heartbeat) }} * (COUNT(DISTINCT CASE WHEN event_name = 'page_ping'
              THEN FLOOR({{ epoch_seconds('derived_tstamp') }} / {{ number(heartbeat) }}) END) - 1)
            + {{ number(minimum_visit_length) }}
  END AS engaged_time_in_s,
  MAX(doc_width) AS doc_width,
  MAX(doc_height) AS doc_height,
  MAX(br_viewwidth) AS br_viewwidth,
  MAX(br_viewheight) AS br_viewheight,
  LEAST(GREATEST(MIN(COALESCE(pp_xoffset_min, 0)), 0), MAX(doc_width)) AS hmin,
  LEAST(GREATEST(MAX(COALESCE(pp_xoffset_max, 0)), 0), MAX(doc_width)) AS hmax,
  LEAST(GREATEST(MIN(COALESCE(pp_yoffset_min, 0)), 0), MAX(doc_height)) AS vmin,
  LEAST(GREATEST(MAX(COALESCE(pp_yoffset_max, 0)), 0), MAX(doc_height)) AS vmax
FROM {{ table(scratch_schema, 'pv_events') }}
WHERE event_name IN ('page_view', 'page_ping') AND page_view_id IS NOT NULL
GROUP BY domain_sessionid, page_view_id
{%- endcall %};
