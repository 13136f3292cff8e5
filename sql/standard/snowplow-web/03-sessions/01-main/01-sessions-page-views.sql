-- The unconsumed page_views_staged batches, each session from the newest batch holding it.
DROP TABLE IF EXISTS {{ table(scratch_schema, 'sessions_page_views') }};
CREATE TABLE {{ table(scratch_schema, 'sessions_page_views') }} AS
SELECT pv.*
FROM {{ unconsumed('page_views_staged', 'pv', newest_per='domain_sessionid') }};
