INSERT INTO {{ table(scratch_schema, 'events_staged') }}
SELECT {{ batch_id }}, {% for column in atomic_columns %}{{ column }}, {% endfor %}page_view_id
FROM {{ table(scratch_schema, 'events_this_run') }};
