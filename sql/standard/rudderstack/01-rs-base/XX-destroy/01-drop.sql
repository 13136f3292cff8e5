DROP TABLE IF EXISTS {{ table(output_schema, 'rs_event_id_manifest') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'rs_load_marks') }};
