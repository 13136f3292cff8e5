-- For downstream modules: each visitor whose sessions this run rewrites, from when.
INSERT INTO {{ table(scratch_schema, session_changes_table) }} (batch_id, dbt_visitor_id, restart_at)
SELECT {{ batch_id }}, dbt_visitor_id, restart_at
FROM {{ table(scratch_schema, sessions_scratch_prefix ~ 'affected') }};
