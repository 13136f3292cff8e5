-- attribution_rules is the user's table (edited by hand): it stays.
DROP TABLE IF EXISTS {{ table(output_schema, 'growth_rules_applied') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'fact_registration_attribution') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'mart_channel_attribution') }};
