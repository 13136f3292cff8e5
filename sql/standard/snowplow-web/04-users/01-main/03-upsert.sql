{%- if not skip_derived -%}
{%- set replace -%}
domain_userid IN (SELECT domain_userid FROM {{ table(scratch_schema, 'users_to_update') }})
  AND start_tstamp >= (SELECT {{ dateadd('day', -number(upsert_lookback_days), 'MIN(start_tstamp)') }}
                       FROM {{ table(scratch_schema, 'users_to_update') }})
{%- endset -%}
-- Replace each updated user; a user left with no sessions is removed.
{{ upsert(table(output_schema, 'users'), table(scratch_schema, 'users_this_run'),
          columns(table(output_schema, 'users')), replace, dist_key='domain_userid', sort_keys='start_tstamp') }};
{%- else -%}
SELECT 'skip_derived: users not written' AS note;
{%- endif %}
