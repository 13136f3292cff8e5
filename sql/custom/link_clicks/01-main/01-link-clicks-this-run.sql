-- The unconsumed batches of events_staged, each session from the newest batch holding it
-- (base re-stages whole sessions), then one row per page view with its link clicks (those of
-- its session: a page view id can reappear in a later session).
DROP TABLE IF EXISTS {{ table(scratch_schema, 'link_clicks_this_run') }};
CREATE TABLE {{ table(scratch_schema, 'link_clicks_this_run') }} AS
WITH events AS (
  SELECT e.* FROM {{ unconsumed('events_staged', 'e', newest_per='domain_sessionid') }}
),
clicks AS (
  SELECT domain_sessionid, page_view_id, derived_tstamp, event_id,
         {{ json_extract_text(json_extract_text(json_extract_text('unstruct_event', 'data'), 'data'), 'targetUrl') }}
           AS target_url
  FROM events
  WHERE event_name = 'link_click' AND page_view_id IS NOT NULL
),
ranked AS (
  SELECT c.*,
         ROW_NUMBER() OVER (PARTITION BY domain_sessionid, page_view_id ORDER BY derived_tstamp, event_id) AS first_rank,
         ROW_NUMBER() OVER (PARTITION BY domain_sessionid, page_view_id ORDER BY derived_tstamp DESC, event_id DESC)
           AS last_rank
  FROM clicks AS c
)
SELECT
  pv.page_view_id, pv.domain_sessionid, pv.derived_tstamp AS page_view_tstamp,
  COUNT(r.event_id) AS link_clicks,
  MAX(CASE WHEN r.first_rank = 1 THEN r.target_url END) AS first_target_url,
  MAX(CASE WHEN r.last_rank = 1 THEN r.target_url END) AS last_target_url
FROM events AS pv
LEFT JOIN ranked AS r ON r.domain_sessionid = pv.domain_sessionid AND r.page_view_id = pv.page_view_id
WHERE pv.event_name = 'page_view' AND pv.page_view_id IS NOT NULL
GROUP BY pv.page_view_id, pv.domain_sessionid, pv.derived_tstamp;
