{#- Table attributes placed after a CREATE TABLE's column list, or before a CTAS's AS.
    Only Redshift has them: distribution (`dist_key`, or 'all'/'even'/'auto') and sort keys. -#}
{% macro default__table_options(dist_key=none, sort_keys=none) -%}
{%- endmacro %}

{% macro redshift__table_options(dist_key=none, sort_keys=none) -%}
{%- if dist_key and dist_key | lower in ('all', 'even', 'auto') %} DISTSTYLE {{ dist_key | upper }}
{%- elif dist_key %} DISTSTYLE KEY DISTKEY ({{ dist_key }})
{%- endif %}
{%- if sort_keys %} COMPOUND SORTKEY ({{ sort_keys if sort_keys is string else sort_keys | join(', ') }})
{%- endif %}
{%- endmacro %}

{#- A series of integers start..stop (inclusive) as a FROM item with one column `alias`. -#}
{% macro default__series(alias, start, stop) -%}
GENERATE_SERIES({{ start }}, {{ stop }}) AS series({{ alias }})
{%- endmacro %}

{#- Redshift runs GENERATE_SERIES on the leader node only, so a query that also touches a
    table (CREATE TABLE AS, INSERT, a join) fails. Instead: offsets from a cross join of
    0/1 bits, as dbt-utils' generate_series does; 16 bits (65536 rows) when the bounds are
    SQL expressions rather than numbers known at render time. -#}
{% macro redshift__series(alias, start, stop) -%}
{%- set bits = [(stop - start).bit_length(), 1] | max if stop is integer and start is integer else 16 -%}
{%- set offset -%}{% for i in range(bits) %}{{ ' + ' if not loop.first }}b{{ i }}.b * {{ 2 ** i }}{% endfor %}{%- endset -%}
(SELECT ({{ start }}) + {{ offset }} AS {{ alias }}
FROM {% for i in range(bits) %}{{ ' CROSS JOIN ' if not loop.first }}(SELECT 0 AS b UNION ALL SELECT 1) AS b{{ i }}{% endfor %}
WHERE {{ offset }} <= ({{ stop }}) - ({{ start }})) AS series
{%- endmacro %}

{#- The column type of a Snowplow field kind (runner/events/schema.py). -#}
{% macro default__column_type(kind) -%}
{{ {'string': 'VARCHAR', 'timestamp': 'TIMESTAMP', 'integer': 'BIGINT', 'double': 'DOUBLE PRECISION',
    'boolean': 'BOOLEAN', 'decimal': 'DECIMAL(18, 2)'}[kind] }}
{%- endmacro %}

{% macro redshift__column_type(kind) -%}
{{ {'string': 'VARCHAR(4096)', 'timestamp': 'TIMESTAMP', 'integer': 'BIGINT', 'double': 'DOUBLE PRECISION',
    'boolean': 'BOOLEAN', 'decimal': 'DECIMAL(18, 2)'}[kind] }}
{%- endmacro %}

{#- An index where the warehouse needs one to find recent rows fast. DuckDB skips row groups
    by their min/max (zone maps) and Redshift by its sort keys, so only PostgreSQL gets one.
    Elsewhere a comment stands in, which the runner does not send: a no-op statement cost a
    round trip per index on every run (some 60 per RudderStack run). -#}
{% macro default__create_index(name, relation, columns) -%}
/* {{ name }}: no index needed on {{ relation }} here */
{%- endmacro %}

{% macro postgres__create_index(name, relation, columns) -%}
CREATE INDEX IF NOT EXISTS {{ name }} ON {{ relation }} ({{ columns }})
{%- endmacro %}

{% macro redshift__create_index(name, relation, columns) -%}
{{ default__create_index(name, relation, columns) }}
{%- endmacro %}

{#- CREATE TABLE ... AS `query`, with the table options (on Redshift they go before AS). -#}
{% macro default__create_table_as(relation, query, dist_key=none, sort_keys=none) -%}
CREATE TABLE {{ relation }}{{ table_options(dist_key, sort_keys) }} AS {{ query }}
{%- endmacro %}

{#- Add a column to an existing table, unless it has it. -#}
{% macro default__add_column(relation, column, type) -%}
ALTER TABLE {{ relation }} ADD COLUMN IF NOT EXISTS {{ column }} {{ type }}
{%- endmacro %}

{#- Redshift's ADD COLUMN has no IF NOT EXISTS: `append` adds only the columns the runner's
    `columns(relation)` did not list when the template rendered.
    https://docs.aws.amazon.com/redshift/latest/dg/r_ALTER_TABLE.html -#}
{% macro redshift__add_column(relation, column, type) -%}
ALTER TABLE {{ relation }} ADD COLUMN {{ column }} {{ type }}
{%- endmacro %}

{#- One helper per pattern: every module creates, replaces and upserts its tables through the
    macros below, never a hand-written copy of them. -#}

{#- A column name quoted: `timestamp` and `event` are keywords in some dialects. Quoted lower
    case means the same name as unquoted on every warehouse (PostgreSQL and Redshift fold
    unquoted names to lower case; DuckDB compares them case-insensitively). -#}
{% macro default__quote(name) -%}
"{{ name }}"
{%- endmacro %}

{#- Create-or-replace a table from the query in the call block:
    {% call replace_table(table(scratch_schema, 'x')) %} SELECT ... {% endcall %} -#}
{% macro default__replace_table(relation, dist_key=none, sort_keys=none) -%}
DROP TABLE IF EXISTS {{ relation }};
{{ create_table_as(relation, caller(), dist_key, sort_keys) }}
{%- endmacro %}

{#- Rows that several statements read (`query`), stored in `relation`: PostgreSQL and Redshift
    then plan those statements knowing how many rows there are (the target analyses a table
    filled in the run before it is read). The readers name them with `intermediate_from`. -#}
{% macro default__intermediate(relation, query) -%}
{% call replace_table(relation) %}{{ query }}{% endcall %}
{%- endmacro %}

{#- Where the readers of an `intermediate` find its rows, as a FROM item. -#}
{% macro default__intermediate_from(relation, query) -%}
{{ relation }}
{%- endmacro %}

{#- DuckDB stores nothing: each reader runs the query itself. Its plans do not hinge on the
    table's size, and every stored row costs a write-ahead log entry, then a checkpoint:
    measured on rs_base's window of new rows (30,000 rows of 58 columns at the RudderStack
    benchmark's +1%), storing it was a third of the run's log, and reading it twice instead
    took 0.40-0.75 s against 0.70-0.91 s. A TEMP table (no log, computed once) was slower
    still than reading it inline: 0.42-0.48 s against 0.30-0.39 s. -#}
{% macro duckdb__intermediate(relation, query) -%}
/* {{ relation }}: read where it is used (see intermediate_from) */
{%- endmacro %}

{% macro duckdb__intermediate_from(relation, query) -%}
({{ query }}
)
{%- endmacro %}

{#- Create-or-replace a view from the query in the call block (same columns as before, or
    destroy the module first: PostgreSQL only lets a replaced view add columns at the end). -#}
{% macro default__replace_view(relation) -%}
CREATE OR REPLACE VIEW {{ relation }} AS
{{ caller() }}
{%- endmacro %}

{#- Insert the rows of `source` into `relation`, by column name. `order_by` (column names): on
    PostgreSQL the rows are laid down in that order, so that rows a later run deletes together
    share pages an index finds them in (measured on the features' long table: a restatement's
    delete 4.2 s scattered, 0.4 s laid down by visitor). Elsewhere it is ignored: Redshift keeps
    its own sort keys, and on DuckDB the sort costs a full run twice the module's time and 7.8 GB
    for 25M long rows (there, `unpivot` lays a visitor's rows together without one). -#}
{% macro default__insert_by_name(relation, names, source, order_by=()) -%}
INSERT INTO {{ relation }} ({% for c in names %}{{ quote(c) }}{{ ', ' if not loop.last }}{% endfor %})
SELECT {% for c in names %}{{ quote(c) }}{{ ', ' if not loop.last }}{% endfor %} FROM {{ source }}
{%- endmacro %}

{% macro postgres__insert_by_name(relation, names, source, order_by=()) -%}
{{ default__insert_by_name(relation, names, source) }}
{%- if order_by %}
ORDER BY {% for c in order_by %}{{ quote(c) }}{{ ', ' if not loop.last }}{% endfor %}
{%- endif %}
{%- endmacro %}

{% macro redshift__insert_by_name(relation, names, source, order_by=()) -%}
{{ default__insert_by_name(relation, names, source) }}
{%- endmacro %}

{#- The delete+insert upsert: remove the rows `delete_where` names (the keys this run
    recomputed), then insert `source`'s rows by column name. -#}
{% macro default__delete_insert(relation, names, source, delete_where) -%}
DELETE FROM {{ relation }} WHERE {{ delete_where }};
{{ insert_by_name(relation, names, source) }}
{%- endmacro %}

{#- Append the rows of `source` to `relation`, by column name. `existing` is `columns(relation)`:
    none, and the table is created from `source` with its rows (so it takes the source's
    columns by name); else the columns of `added` (name, type) it lacks are added first
    (earlier rows keep NULL there), and the rows go in by name: the table's columns but those
    the source no longer computes (`absent`), plus the added ones. -#}
{% macro default__append(relation, source, existing, added=(), absent=(), dist_key=none, sort_keys=none) -%}
{%- if not existing -%}
{{ create_table_as(relation, 'SELECT * FROM ' ~ source, dist_key, sort_keys) }}
{%- else -%}
{%- set new = [] -%}
{%- for name, type in added if name not in existing -%}
{%- set _ = new.append(name) -%}
{{ add_column(relation, name, type) }};
{% endfor -%}
{{ insert_by_name(relation, existing | reject('in', absent) | list + new, source) }}
{%- endif -%}
{%- endmacro %}

{#- `delete_insert` for an output whose columns can change with the options (see `append`):
    delete where `replace` holds, then append by name. -#}
{% macro default__upsert(relation, source, existing, replace, added=(), absent=(), dist_key=none, sort_keys=none) -%}
{%- if existing -%}
DELETE FROM {{ relation }} WHERE {{ replace }};
{% endif -%}
{{ append(relation, source, existing, added, absent, dist_key, sort_keys) }}
{%- endmacro %}

{#- The first row per `key` in `order_by` order, as a FROM item: one window, never a self-join,
    so the plan cannot become a nested loop. The rows keep their columns plus `first_rank`, and
    with `count_as` a column of that name: how many rows share the key. `source` is a table or
    a parenthesised query. -#}
{% macro default__first_per(source, key, order_by, count_as=none) -%}
(SELECT * FROM (SELECT ranked.*, ROW_NUMBER() OVER (PARTITION BY {{ key }} ORDER BY {{ order_by }}) AS first_rank
{%- if count_as %},
                       COUNT(*) OVER (PARTITION BY {{ key }}) AS {{ count_as }}{% endif %}
                FROM {{ source }} AS ranked) AS first_rows WHERE first_rank = 1)
{%- endmacro %}

{#- Several output rows per row of `source` (a FROM item), as a query: each row keeps the
    expressions `keep` and adds one row per entry of `entries`, whose expressions fill the
    columns `names` in order. One SELECT per entry, joined by UNION ALL, where there is no
    better form. -#}
{% macro default__unpivot(source, keep, names, entries) -%}
{%- for entry in entries %}
{{ 'UNION ALL ' if not loop.first }}SELECT {{ keep | join(', ') }}
{%- for expr in entry %}, {{ expr }} AS {{ names[loop.index0] }}{% endfor %} FROM {{ source }}
{%- endfor %}
{%- endmacro %}

{#- DuckDB: one pass with UNNEST over lists, which also lays a source row's output rows next to
    each other. A later delete of those rows by the source's key then reads a few runs of
    equal values per row group instead of every value: measured on the user features' long
    table (25M rows, 2,155 (visitor, snapshot) pairs restated), 0.10 s against 0.44 s laid
    down one feature at a time, and the 25M rows built in 5.5 s against 7.5 s. -#}
{% macro duckdb__unpivot(source, keep, names, entries) -%}
SELECT {{ keep | join(', ') }}
{%- for name in names %}{% set column = loop.index0 %},
       UNNEST([{% for entry in entries %}{{ entry[column] }}{{ ', ' if not loop.last }}{% endfor %}]) AS {{ name }}
{%- endfor %}
FROM {{ source }}
{%- endmacro %}

{#- A table filled with the rows a model ships for it (a seed file's dicts), made only when it
    does not exist yet (`existing` is columns(relation), empty): a user who replaced its rows
    keeps them. `columns` are (name, type) pairs; an empty value is NULL. -#}
{% macro default__seed_table(relation, existing, columns, rows, dist_key=none, sort_keys=none) -%}
{%- if existing -%}
SELECT 1 AS seeded_before
{%- else -%}
CREATE TABLE {{ relation }} (
{%- for name, type in columns %}
  {{ quote(name) }} {{ type }}{{ ',' if not loop.last }}
{%- endfor %}
){{ table_options(dist_key, sort_keys) }};
{%- if rows %}
INSERT INTO {{ relation }} ({% for name, _ in columns %}{{ quote(name) }}{{ ', ' if not loop.last }}{% endfor %}) VALUES
{%- for row in rows %}
  ({% for name, _ in columns %}{% if row[name] %}'{{ row[name] | replace("'", "''") }}'{% else %}NULL{% endif %}{{ ', ' if not loop.last }}{% endfor %}){{ ',' if not loop.last }}
{%- endfor %}
{%- endif %}
{%- endif -%}
{%- endmacro %}

{#- A condition on the rows of `relation` (for a DELETE or UPDATE of it, naming the target by its
    bare table name, as Redshift documents it) whose `keys` match a row of `source`
    (`source_keys`: expressions of the source row `k` to match instead of its same-named
    columns). A row-valued IN, which DuckDB answers with one hash join (and skips when the
    source is empty) where a correlated EXISTS costs it a pass over the whole target. -#}
{% macro default__same_keys(relation, source, keys, source_keys=none) -%}
{%- set target = relation.split('.')[-1] -%}
({% for key in keys %}{{ ', ' if not loop.first }}{{ target }}.{{ key }}{% endfor %})
IN (SELECT {% for key in keys %}{{ ', ' if not loop.first }}{{ source_keys[loop.index0] if source_keys else 'k.' ~ key }}{% endfor %} FROM {{ source }} AS k)
{%- endmacro %}

{#- Redshift's IN takes one column: EXISTS. -#}
{% macro redshift__same_keys(relation, source, keys, source_keys=none) -%}
{%- set target = relation.split('.')[-1] -%}
EXISTS (SELECT 1 FROM {{ source }} AS k WHERE {% for key in keys %}{{ 'AND ' if not loop.first }}{{ source_keys[loop.index0] if source_keys else 'k.' ~ key }} = {{ target }}.{{ key }} {% endfor %})
{%- endmacro %}
