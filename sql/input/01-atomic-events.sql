-- The input schema's tables: atomic events (the enriched TSV's 131 columns, in order, then
-- load_tstamp, stamped by the warehouse as rows arrive, as Snowplow's loaders do) and one
-- table per shredded context, created by `sluice load` when missing. load_tstamp is the
-- transaction's start, so each load is one value: the base module finds new events by it,
-- and a row without one would never be found.
CREATE SCHEMA IF NOT EXISTS {{ input_schema }};
CREATE TABLE IF NOT EXISTS {{ table(input_schema, 'events') }} (
{%- for column, kind in atomic_fields %}
  {{ column }} {{ column_type(kind) }},
{%- endfor %}
  load_tstamp TIMESTAMP DEFAULT {{ current_ts() }} NOT NULL
){{ table_options(dist_key='event_id', sort_keys='collector_tstamp') }};
{% for context in contexts %}
CREATE TABLE IF NOT EXISTS {{ table(input_schema, context.table) }} (
  root_id {{ column_type('string') }} NOT NULL,
  root_tstamp {{ column_type('timestamp') }} NOT NULL
{%- for _, column, kind in context.fields %},
  {{ column }} {{ column_type(kind) }}
{%- endfor %}
){{ table_options(dist_key='root_id', sort_keys='root_tstamp') }};
{% endfor %}
{{ create_index('events' ~ entropy ~ '_load_tstamp', table(input_schema, 'events'), 'load_tstamp') }};
{#- base reads a run's sessions by collector_tstamp range: without it, every round of a
    catch-up would scan the whole table. -#}
{{ create_index('events' ~ entropy ~ '_collector_tstamp', table(input_schema, 'events'), 'collector_tstamp') }};
{% for context in contexts %}
{{ create_index(context.table ~ entropy ~ '_root', table(input_schema, context.table), 'root_id, root_tstamp') }};
{% endfor %}
