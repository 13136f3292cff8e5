DROP TABLE IF EXISTS {{ table(output_schema, 'base_event_id_manifest') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'base_session_id_manifest') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'base_load_manifest') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'base_event_backlog') }};
