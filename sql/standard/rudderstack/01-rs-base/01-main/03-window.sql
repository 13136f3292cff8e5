-- Every row loaded since its table's lower limit, in one shape. A table that does not exist
-- yet (or has no row with a time and an id) reads as empty; a column it lacks reads as NULL.
{% call replace_table(table(scratch_schema, 'rs_base_window')) -%}
SELECT CAST(NULL AS VARCHAR(32)) AS source_table, CAST(NULL AS TIMESTAMP) AS received_key,
       CAST(NULL AS {{ rs_type('string') }}) AS previous_id,
{{ rs_event_fields('select', 'tracks', []) }}
WHERE 1 = 0
{%- for s in (event_sources + alias_sources) | unique %}
{%- set cols = columns(table(rs_schema, s)) %}
{%- if 'id' in cols and 'uuid_ts' in cols and 'timestamp' in cols %}
UNION ALL
SELECT CAST('{{ s }}' AS VARCHAR(32)) AS source_table,
       COALESCE({{ rs_column(cols, 'received_at', 'datetime') }}, CAST(r.uuid_ts AS TIMESTAMP)) AS received_key,
       {{ rs_column(cols, 'previous_id', 'string') }} AS previous_id,
{{ rs_event_fields('select', s, cols) }}
FROM {{ table(rs_schema, s) }} AS r
WHERE r.id IS NOT NULL
  AND r.uuid_ts >= (SELECT l.lower_limit FROM {{ table(scratch_schema, 'rs_base_limits') }} AS l
                    WHERE l.source_table = '{{ s }}')
{%- endif %}
{%- endfor %}
{%- endcall %};
