SELECT
  p.page,
  COUNT(*) AS views,
  {{ string_agg('CAST(v.visit_id AS VARCHAR)', "','", 'v.visit_id') }} AS visit_ids
FROM {{ example_schema }}.pages AS p
JOIN {{ example_schema }}.visits AS v ON v.visit_id = p.visit_id
GROUP BY p.page
ORDER BY p.page;
