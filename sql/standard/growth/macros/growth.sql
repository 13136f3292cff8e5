{#- The growth family's macros, named growth_* so they never shadow a macro of Sluice's own.
    Dialect differences stay in sql/macros/ (hash_md5, seconds_between, date_trunc ...). -#}

{#- The surrogate keys, each the MD5 of its natural key, whose parts the
    critical checks have found non-null: a session is a user's visit starting at one time (a
    later version of it corrects its medium, and keeps its key); a registration is a user's
    at one time. -#}
{% macro default__growth_session_sk(user_id, start) -%}
{{ hash_md5("CAST(" ~ user_id ~ " AS VARCHAR) || '-' || CAST(" ~ start ~ " AS VARCHAR)") }}
{%- endmacro %}

{% macro default__growth_registration_sk(user_id, registered) -%}
{{ hash_md5("CAST(" ~ user_id ~ " AS VARCHAR) || '-' || CAST(" ~ registered ~ " AS VARCHAR)") }}
{%- endmacro %}

{% macro default__growth_user_sk(user_id) -%}
{{ hash_md5("CAST(" ~ user_id ~ " AS VARCHAR) || '-'") }}
{%- endmacro %}

{#- Whether an information_schema `data_type` holds values of a loader kind (int, datetime,
    boolean, string), whatever the warehouse calls the type. -#}
{% macro default__growth_type_matches(data_type, kind) -%}
{%- if kind == 'int' -%}
LOWER({{ data_type }}) IN ('bigint', 'integer', 'int', 'smallint', 'int8', 'int4', 'int2', 'hugeint')
{%- elif kind == 'datetime' -%}
LOWER({{ data_type }}) LIKE 'timestamp%'
{%- elif kind == 'boolean' -%}
LOWER({{ data_type }}) IN ('boolean', 'bool')
{%- else -%}
(LOWER({{ data_type }}) LIKE '%char%' OR LOWER({{ data_type }}) = 'text')
{%- endif -%}
{%- endmacro %}

{#- A raw table's rows of the load batches this run reads (after the mark, up to the limit in
    `limits`, growth_staging_limits), or no rows when the table has no load_batch_id (it does
    not exist yet). `relation_columns` is what `columns(relation)` returned; `fields` are the
    (column, SQL type) pairs to read. -#}
{% macro default__growth_new_raw_rows(relation, relation_columns, limits, fields) -%}
{%- if 'load_batch_id' in relation_columns -%}
SELECT {% for c, _ in fields %}r.{{ c }}, {% endfor %}r.load_batch_id, r.row_hash
FROM {{ relation }} AS r
CROSS JOIN {{ limits }} AS l
WHERE r.load_batch_id > l.after_batch AND r.load_batch_id <= l.upto_batch
{%- else -%}
SELECT {% for c, type in fields %}CAST(NULL AS {{ type }}) AS {{ c }}, {% endfor %}CAST(NULL AS BIGINT) AS load_batch_id,
       CAST(NULL AS VARCHAR(32)) AS row_hash
FROM {{ limits }} AS l
WHERE 1 = 0
{%- endif -%}
{%- endmacro %}
