-- One staged chunk of a growth file into its raw table: the rows whose every value fits its
-- column, typed by the warehouse, each with the file's load batch and the hash of its typed
-- values; a row whose hash the table (or an earlier row of the chunk) already holds is left
-- out, so a file sent again adds nothing. `typed` is [(column, typed expression)] and `good`
-- the test that every value fits, both from the loader's value rules for the dialect.
{%- set parts = [] %}
{%- for column, _ in typed %}{% set _ = parts.append("COALESCE(CAST(v." ~ column ~ " AS VARCHAR), '')") %}{% endfor %}
{%- set rows %}(SELECT v.*, {{ hash_md5(parts | join(" || '|' || ")) }} AS row_hash
   FROM (SELECT s.ordinal{% for column, expr in typed %}, {{ expr }} AS {{ column }}{% endfor %}
         FROM {{ stage }} AS s WHERE {{ good }}) AS v){% endset %}
INSERT INTO {{ relation }} ({% for column, _ in typed %}{{ column }}, {% endfor %}load_batch_id, row_hash)
SELECT {% for column, _ in typed %}t.{{ column }}, {% endfor %}{{ load_batch_id }}, t.row_hash
FROM {{ first_per(rows, 'row_hash', 'ordinal') }} AS t
WHERE NOT EXISTS (SELECT 1 FROM {{ relation }} AS r WHERE r.row_hash = t.row_hash)
