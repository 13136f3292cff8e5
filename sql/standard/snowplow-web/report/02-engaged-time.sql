-- Page views per engaged-time bucket, every bucket listed (0 where none falls in it), in
-- order. The buckets are closed below and open above; the last has no upper bound.
WITH buckets AS (
  SELECT 1 AS position, 0 AS lowest, 1 AS below, '0 s' AS engaged_time
  UNION ALL SELECT 2, 1, 30, '1-29 s'
  UNION ALL SELECT 3, 30, 60, '30-59 s'
  UNION ALL SELECT 4, 60, 180, '1-3 min'
  UNION ALL SELECT 5, 180, 600, '3-10 min'
  UNION ALL SELECT 6, 600, NULL, '10 min+'
)
SELECT b.engaged_time, COUNT(p.page_view_id) AS page_views
FROM buckets AS b
LEFT JOIN {{ table(output_schema, 'page_views') }} AS p
  ON p.engaged_time_in_s >= b.lowest AND (b.below IS NULL OR p.engaged_time_in_s < b.below)
GROUP BY b.position, b.engaged_time
ORDER BY b.position
