DROP TABLE IF EXISTS {{ table(output_schema, 'dbt_tracks_flow') }};
DROP TABLE IF EXISTS {{ table(output_schema, 'session_journeys') }};
