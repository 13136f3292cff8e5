-- Every row loaded since its table's lower limit, in one shape. A table that does not exist
-- yet (or has no row with a time and an id) reads as empty; a column it lacks reads as NULL.
{% call replace_table(table(scratch_schema, 'rs_base_window')) -%}
{{ rs_no_rows() }}
{%- for s in (event_sources + alias_sources + order_sources) | unique %}
{%- set cols = columns(table(rs_schema, s)) %}
{%- if 'id' in cols and 'uuid_ts' in cols and 'timestamp' in cols %}
UNION ALL
{{ rs_source_rows(s, table(rs_schema, s), cols, s in order_sources) }}
WHERE r.id IS NOT NULL
  AND r.uuid_ts >= (SELECT l.lower_limit FROM {{ table(scratch_schema, 'rs_base_limits') }} AS l
                    WHERE l.source_table = '{{ s }}')
{%- endif %}
{%- endfor %}
{%- endcall %};
