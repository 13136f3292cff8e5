CREATE TABLE {{ example_schema }}.pages AS
SELECT n AS visit_id, 'page-' || CAST(n % 3 AS VARCHAR) AS page
FROM {{ series('n', 1, days * 3) }};
