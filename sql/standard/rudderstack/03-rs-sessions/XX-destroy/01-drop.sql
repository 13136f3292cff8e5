{%- set P = sessions_prefix %}
DROP VIEW IF EXISTS {{ table(output_schema, P ~ 'top_users_by_avg_session_duration') }};
DROP VIEW IF EXISTS {{ table(output_schema, P ~ 'session_duration') }};
{%- for name in ['mapped_tracks', 'session_tracks', 'track_facts', 'session_track_facts', 'user_session_facts'] %}
DROP TABLE IF EXISTS {{ table(output_schema, P ~ name) }};
{%- endfor %}
