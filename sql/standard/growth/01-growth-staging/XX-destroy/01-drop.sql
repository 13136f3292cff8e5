DROP TABLE IF EXISTS {{ table(output_schema, 'growth_all_sessions') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'growth_all_registrations') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'growth_users') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'growth_load_marks') }};
