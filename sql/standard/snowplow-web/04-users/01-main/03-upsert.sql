{%- if not skip_derived -%}
-- Replace each updated user; a user left with no sessions is removed.
{{ create_table_like(table(output_schema, 'users'), table(scratch_schema, 'users_this_run'),
                     dist_key='domain_userid', sort_keys='start_tstamp') }};

DELETE FROM {{ table(output_schema, 'users') }}
WHERE domain_userid IN (SELECT domain_userid FROM {{ table(scratch_schema, 'users_to_update') }})
  AND start_tstamp >= (SELECT {{ dateadd('day', -number(upsert_lookback_days), 'MIN(start_tstamp)') }}
                       FROM {{ table(scratch_schema, 'users_to_update') }});

INSERT INTO {{ table(output_schema, 'users') }}
SELECT * FROM {{ table(scratch_schema, 'users_this_run') }};
{%- else -%}
SELECT 'skip_derived: users not written' AS note;
{%- endif %}
