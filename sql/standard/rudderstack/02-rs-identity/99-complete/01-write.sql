-- In the transaction that commits this run's remaps: the rows this module keeps (replaced by
-- id, excluded ones dropped) and the mapping of every alias the run looked at (an alias that
-- no longer occurs anywhere loses its row).
{%- set rows = table(output_schema, 'rs_identity_rows') %}
{%- set mapping = table(output_schema, 'dbt_aliases_mapping') %}
{%- set new = table(scratch_schema, 'rs_identity_new') %}
{{ delete_insert(rows, ['source_table', 'event_id', 'anonymous_id', 'user_id', 'previous_id', 'event_tstamp'],
                    '(SELECT * FROM ' ~ new ~ ' WHERE NOT excluded) AS n',
                    same_keys(rows, new, ['source_table', 'event_id'])) }};

{{ delete_insert(mapping, ['alias', 'dbt_visitor_id', 'first_seen_at', 'last_seen_at', 'resolved_by_event_id'],
                    table(scratch_schema, 'rs_identity_mapping_this_run') ~ ' AS m',
                    'alias IN (SELECT alias FROM ' ~ table(scratch_schema, 'rs_identity_aliases') ~ ')') }};
