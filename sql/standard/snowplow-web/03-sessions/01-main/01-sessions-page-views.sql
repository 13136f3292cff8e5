-- The unconsumed page_views_staged batches, each session from the newest batch holding it.
DROP TABLE IF EXISTS {{ table(scratch_schema, 'sessions_page_views') }};
CREATE TABLE {{ table(scratch_schema, 'sessions_page_views') }} AS
WITH input AS (
  SELECT * FROM {{ unconsumed('page_views_staged', 'pv') }}
),
newest AS (
  SELECT domain_sessionid, MAX(batch_id) AS batch_id FROM input GROUP BY domain_sessionid
)
SELECT i.*
FROM input AS i
JOIN newest AS n ON n.domain_sessionid = i.domain_sessionid AND n.batch_id = i.batch_id;
