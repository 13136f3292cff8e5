{#- JSON text columns as RudderStack stores arrays (`products`): the number of elements of a
    JSON array text, and element `index` (from 0) as JSON text; NULL past the end. -#}
{% macro default__json_array_length(json_column) -%}
JSON_ARRAY_LENGTH(CAST({{ json_column }} AS JSON))
{%- endmacro %}

{% macro duckdb__json_array_length(json_column) -%}
JSON_ARRAY_LENGTH({{ json_column }})
{%- endmacro %}

{% macro redshift__json_array_length(json_column) -%}
JSON_ARRAY_LENGTH({{ json_column }})
{%- endmacro %}

{% macro default__json_array_element_text(json_column, index) -%}
(CAST({{ json_column }} AS JSON) ->> CAST({{ index }} AS INTEGER))
{%- endmacro %}

{% macro duckdb__json_array_element_text(json_column, index) -%}
CAST(JSON_EXTRACT({{ json_column }}, CAST({{ index }} AS INTEGER)) AS VARCHAR)
{%- endmacro %}

{% macro redshift__json_array_element_text(json_column, index) -%}
JSON_EXTRACT_ARRAY_ELEMENT_TEXT({{ json_column }}, CAST({{ index }} AS INTEGER))
{%- endmacro %}

{#- A text value as a JSON string literal: backslashes and double quotes escaped, quoted. -#}
{% macro default__json_quote(expr) -%}
('"' || REPLACE(REPLACE({{ expr }}, '\', '\\'), '"', '\"') || '"')
{%- endmacro %}

{#- Redshift reads a backslash in a string literal as an escape: each one written twice. -#}
{% macro redshift__json_quote(expr) -%}
('"' || REPLACE(REPLACE({{ expr }}, '\\', '\\\\'), '"', '\\"') || '"')
{%- endmacro %}

{#- Text ordered by its bytes, the same on every warehouse (a PostgreSQL database's default
    collation may sort by locale rules: 'B' after 'a'). Redshift compares bytes already and
    has no COLLATE "C". -#}
{% macro default__binary_text(expr) -%}
{{ expr }}
{%- endmacro %}

{% macro postgres__binary_text(expr) -%}
({{ expr }} COLLATE "C")
{%- endmacro %}

{% macro redshift__binary_text(expr) -%}
{{ expr }}
{%- endmacro %}
