-- Freshness: the newest load in a source table (its load-time column) is older than
-- freshness_hours, or the table is empty or does not exist yet. schema_variable names the
-- variable that holds the table's schema (input_schema, rs_schema...), so the check follows the
-- project's settings.
{%- set relation = table(var(schema_variable), fresh_table) %}
{%- if columns(relation) %}
SELECT MAX({{ time_column }}) AS newest
FROM {{ relation }}
HAVING MAX({{ time_column }}) IS NULL
    OR MAX({{ time_column }}) < {{ dateadd('hour', -number(freshness_hours), current_ts()) }}
{%- else %}
SELECT CAST(NULL AS TIMESTAMP) AS newest
{%- endif %}
