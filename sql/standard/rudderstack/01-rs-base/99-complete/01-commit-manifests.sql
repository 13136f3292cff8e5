-- The kept copy of every id staged this run, and each table's newest load read.
{%- set manifest = table(output_schema, 'rs_event_id_manifest') %}
{%- set changed = table(scratch_schema, 'rs_base_changed') %}
{{ delete_insert(manifest, ['source_table', 'event_id', 'event_tstamp', 'received_tstamp', 'loaded_tstamp'],
                    '(SELECT source_table, event_id, event_tstamp, received_key AS received_tstamp, loaded_tstamp FROM '
                    ~ changed ~ ') AS c',
                    same_keys(manifest, changed, ['source_table', 'event_id'])) }};

{{ delete_insert(table(output_schema, 'rs_load_marks'), ['source_table', 'loaded_tstamp'],
                    table(scratch_schema, 'rs_base_marks') ~ ' AS marks', '1 = 1') }};
