DROP TABLE IF EXISTS {{ table(output_schema, 'dbt_aliases_mapping') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'rs_identity_rows') }};
