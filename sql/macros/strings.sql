{#- Concatenate `expr` over a group, separated by `separator` (a SQL literal), in `order_by` order. -#}
{% macro default__string_agg(expr, separator, order_by) -%}
STRING_AGG({{ expr }}, {{ separator }} ORDER BY {{ order_by }})
{%- endmacro %}

{#- Redshift has no STRING_AGG; LISTAGG fails past 65535 bytes. -#}
{% macro redshift__string_agg(expr, separator, order_by) -%}
LISTAGG({{ expr }}, {{ separator }}) WITHIN GROUP (ORDER BY {{ order_by }})
{%- endmacro %}

{#- The string type wide enough for URLs and user agents. -#}
{% macro default__string_type() -%}
VARCHAR
{%- endmacro %}

{#- Redshift's bare VARCHAR is VARCHAR(256). -#}
{% macro redshift__string_type() -%}
VARCHAR(65535)
{%- endmacro %}

{#- True where `expr` contains a match of `pattern` (a SQL string literal). Keep patterns to
    what RE2 (DuckDB) and POSIX (PostgreSQL, Redshift) share: groups, |, classes, anchors. -#}
{% macro default__regex_match(expr, pattern) -%}
({{ expr }} ~ {{ pattern }})
{%- endmacro %}

{#- DuckDB documents regular expressions as functions (RE2); REGEXP_MATCHES is the partial
    match, REGEXP_FULL_MATCH the whole-string one. -#}
{% macro duckdb__regex_match(expr, pattern) -%}
REGEXP_MATCHES({{ expr }}, {{ pattern }})
{%- endmacro %}

{#- A text value as BIGINT when it is an integer of up to 18 digits (spaces around allowed),
    else NULL, the same on every warehouse (DuckDB's TRY_CAST would round '1.5' to 2).
    PostgreSQL folds a constant CAST at plan time, so give it a column, not a literal. -#}
{% macro default__safe_cast_int(expr) -%}
CASE WHEN TRIM({{ expr }}) ~ '^[+-]?[0-9]{1,18}$' THEN CAST(TRIM({{ expr }}) AS BIGINT) END
{%- endmacro %}

{% macro duckdb__safe_cast_int(expr) -%}
CASE WHEN REGEXP_MATCHES(TRIM({{ expr }}), '^[+-]?[0-9]{1,18}$') THEN CAST(TRIM({{ expr }}) AS BIGINT) END
{%- endmacro %}

{#- The text value at top-level `key` (a plain name) of a JSON text column; NULL when absent.
    Scalars agree across warehouses; nested objects come back as JSON text, spaced differently. -#}
{% macro default__json_extract_text(json_column, key) -%}
(CAST({{ json_column }} AS JSON) ->> '{{ key | replace("'", "''") }}')
{%- endmacro %}

{#- DuckDB reads a key starting with $ or / as a path: quote it inside a JSONPath. -#}
{% macro duckdb__json_extract_text(json_column, key) -%}
JSON_EXTRACT_STRING({{ json_column }}, '$."{{ key | replace("'", "''") }}"')
{%- endmacro %}

{% macro redshift__json_extract_text(json_column, key) -%}
JSON_EXTRACT_PATH_TEXT({{ json_column }}, '{{ key | replace("'", "''") }}')
{%- endmacro %}

{#- Hex MD5 of any value, cast to text first (PostgreSQL's MD5 takes text only). -#}
{% macro default__hash_md5(expr) -%}
MD5(CAST({{ expr }} AS VARCHAR))
{%- endmacro %}

{#- Redshift's bare VARCHAR is VARCHAR(256): a longer value would not hash whole. -#}
{% macro redshift__hash_md5(expr) -%}
MD5(CAST({{ expr }} AS VARCHAR(65535)))
{%- endmacro %}

{#- Text values as a comma-separated list of SQL string literals, for `IN (...)`: from a list,
    or from one comma-separated string (as `--var app_ids=a,b` arrives). -#}
{% macro default__string_literals(values) -%}
{%- for value in (values.split(',') if values is string else values) -%}
{{ ', ' if not loop.first }}'{{ value | string | trim | replace("'", "''") }}'
{%- endfor -%}
{%- endmacro %}

{#- `expr` with the first match of `pattern` (a SQL string literal) replaced by `replacement`.
    Redshift replaces every match, so anchor the pattern (^ or $) to mean the same everywhere;
    keep to what RE2 and POSIX share (see regex_match). -#}
{% macro default__regex_replace(expr, pattern, replacement) -%}
REGEXP_REPLACE({{ expr }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}
