{#- Concatenate `expr` over a group, separated by `separator` (a SQL literal), in `order_by` order. -#}
{% macro default__string_agg(expr, separator, order_by) -%}
STRING_AGG({{ expr }}, {{ separator }} ORDER BY {{ order_by }})
{%- endmacro %}

{% macro redshift__string_agg(expr, separator, order_by) -%}
LISTAGG({{ expr }}, {{ separator }}) WITHIN GROUP (ORDER BY {{ order_by }})
{%- endmacro %}

{#- The string type wide enough for URLs and user agents. -#}
{% macro default__string_type() -%}
VARCHAR
{%- endmacro %}

{% macro redshift__string_type() -%}
VARCHAR(65535)
{%- endmacro %}
