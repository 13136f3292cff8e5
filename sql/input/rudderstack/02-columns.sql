{#- A RudderStack table: created with `columns` ((name, kind of the column_type macro)) when it
    does not exist, else widened by them, as RudderStack's loader adds a column when a new
    property appears. Names are quoted: `timestamp`, `event` and properties may be keywords.
    The sort key is the load time, by which the RudderStack modules find new rows. -#}
{%- if not exists %}
CREATE TABLE {{ relation }} (
{%- for name, kind in columns %}
  "{{ name }}" {{ column_type(kind) }}{{ "," if not loop.last }}
{%- endfor %}
){{ table_options(dist_key='"id"', sort_keys='"uuid_ts"') }}
{%- else %}
{%- for name, kind in columns %}
{{ add_column(relation, '"' ~ name ~ '"', column_type(kind)) }};
{%- endfor %}
{%- endif %}
