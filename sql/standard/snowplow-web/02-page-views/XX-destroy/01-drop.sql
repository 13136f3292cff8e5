DROP TABLE IF EXISTS {{ table(output_schema, 'page_views') }};
