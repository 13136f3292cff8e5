DROP TABLE IF EXISTS {{ table(output_schema, 'dim_user') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'dim_channel') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'fact_sessions') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'fact_registrations') }};
