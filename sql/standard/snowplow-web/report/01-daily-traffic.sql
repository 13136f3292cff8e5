-- Per day (UTC): page views that started that day, sessions that started that day, and the
-- users with a page view that day. A day with sessions but no page view shows 0 page views.
WITH views AS (
  SELECT {{ to_date('start_tstamp') }} AS report_date, COUNT(*) AS page_views,
         COUNT(DISTINCT domain_userid) AS users
  FROM {{ table(output_schema, 'page_views') }}
  GROUP BY {{ to_date('start_tstamp') }}
), starts AS (
  SELECT {{ to_date('start_tstamp') }} AS report_date, COUNT(*) AS sessions
  FROM {{ table(output_schema, 'sessions') }}
  GROUP BY {{ to_date('start_tstamp') }}
)
SELECT COALESCE(v.report_date, s.report_date) AS report_date,
       COALESCE(v.page_views, 0) AS page_views,
       COALESCE(s.sessions, 0) AS sessions,
       COALESCE(v.users, 0) AS users
FROM views AS v
FULL OUTER JOIN starts AS s ON s.report_date = v.report_date
ORDER BY 1
