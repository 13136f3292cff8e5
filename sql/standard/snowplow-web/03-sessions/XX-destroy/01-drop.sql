DROP TABLE IF EXISTS {{ table(output_schema, 'sessions') }};
