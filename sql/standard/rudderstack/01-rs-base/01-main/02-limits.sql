-- Where to look for new rows, per table: from the newest load read so far less
-- rs_lookback_hours (two loads committing out of order are still both read); everything in a
-- table never read before (a table that appears later brings its whole backlog).
{% call replace_table(table(scratch_schema, 'rs_base_limits')) -%}
SELECT s.source_table,
       COALESCE({{ dateadd('hour', -number(rs_lookback_hours), 'm.loaded_tstamp') }},
                CAST('1970-01-01 00:00:00' AS TIMESTAMP)) AS lower_limit
FROM (
{%- for s in (event_sources + alias_sources + order_sources) | unique %}
  {{ 'UNION ALL ' if not loop.first }}SELECT CAST('{{ s }}' AS VARCHAR(32)) AS source_table
{%- endfor %}
) AS s
LEFT JOIN {{ table(output_schema, 'rs_load_marks') }} AS m ON m.source_table = s.source_table
{%- endcall %};
