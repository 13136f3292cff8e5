DROP TABLE IF EXISTS {{ table(output_schema, 'users') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'users_manifest') }};
