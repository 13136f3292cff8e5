{#- The optional enrichment contexts page views join, in one place for the SQL that selects
    their columns and the SQL that writes them. Fills `ns`, a namespace with empty lists:
    `joined` (alias, context table) of the enabled contexts; `selected` their columns as
    {alias, column, name}; `added` the same as (name, type), and `absent` the names of the
    disabled ones' columns. A column keeps the context's name, prefixed by the alias where an
    atomic column has that name already (ua_os_family). -#}
{% macro default__page_view_enrichments(ns, enable_iab, enable_ua_parser, enable_yauaa) -%}
{%- for enabled, alias, table in [(enable_iab, 'iab', 'com_iab_snowplow_spiders_and_robots_1'),
                                  (enable_ua_parser, 'ua', 'com_snowplowanalytics_snowplow_ua_parser_context_1'),
                                  (enable_yauaa, 'ya', 'nl_basjes_yauaa_context_1')] -%}
{%- if enabled %}{% set ns.joined = ns.joined + [(alias, table)] %}{% endif -%}
{%- for context in contexts if context.table == table -%}
{%- for _, column, kind in context.fields -%}
{%- set name = alias ~ '_' ~ column if column in atomic_columns else column -%}
{%- if enabled -%}
{%- set ns.selected = ns.selected + [{'alias': alias, 'column': column, 'name': name}] -%}
{%- set ns.added = ns.added + [(name, column_type(kind) | trim)] -%}
{%- else -%}
{%- set ns.absent = ns.absent + [name] -%}
{%- endif -%}
{%- endfor -%}
{%- endfor -%}
{%- endfor -%}
{%- endmacro %}
