-- Every row loaded since its table's lower limit, in one shape. A table that does not exist
-- yet (or has no row with a time and an id) reads as empty; a column it lacks reads as NULL.
-- Read twice below: stored first where the planner needs its size (see `intermediate`).
{%- macro rows_since_limits() %}
{{ rs_no_rows() }}
{%- for s in (event_sources + alias_sources + order_sources + property_sources) | unique %}
{%- set cols = columns(table(rs_schema, s)) %}
{%- if 'id' in cols and 'uuid_ts' in cols and 'timestamp' in cols %}
UNION ALL
{{ rs_source_rows(s, table(rs_schema, s), cols, s in order_sources, s in property_sources) }}
WHERE r.id IS NOT NULL
  AND r.uuid_ts >= (SELECT l.lower_limit FROM {{ table(scratch_schema, 'rs_base_limits') }} AS l
                    WHERE l.source_table = '{{ s }}')
{%- endif %}
{%- endfor %}
{%- endmacro %}
{%- set window = table(scratch_schema, 'rs_base_window') %}
{%- set window_rows = rows_since_limits() %}
{{ intermediate(window, window_rows) }};

-- The copy of each (table, id) to keep (rs_copy_order: received first, then loaded first,
-- then a fixed order of its other values), with `copies`: how many copies of the id were read.
-- It is new or changed when the manifest has no copy of the id, or a later-loaded copy beats
-- the kept one (received, or loaded, strictly earlier); an equal (received, loaded) pair is
-- the kept copy itself, read again through the look-back.
-- `excluded`: an event without a time or before start_date, or with neither anonymous_id nor
-- user_id (it can never have a visitor); `link_excluded`: the same for a row carrying no id.
{% call replace_table(table(scratch_schema, 'rs_base_changed')) -%}
SELECT k.*,
       m.event_id IS NOT NULL AS known,
       (k.event_tstamp IS NULL{% if start_date %} OR k.event_tstamp < {{ ts_literal(start_date) }}{% endif %}
        OR (k.anonymous_id IS NULL AND k.user_id IS NULL)) AS excluded,
       (k.event_tstamp IS NULL{% if start_date %} OR k.event_tstamp < {{ ts_literal(start_date) }}{% endif %}
        OR (k.anonymous_id IS NULL AND k.user_id IS NULL AND k.previous_id IS NULL)) AS link_excluded
FROM {{ first_per(intermediate_from(window, window_rows), 'source_table, event_id', rs_copy_order(),
                count_as='copies') }} AS k
LEFT JOIN {{ table(output_schema, 'rs_event_id_manifest') }} AS m
  ON m.source_table = k.source_table AND m.event_id = k.event_id
WHERE m.event_id IS NULL
   OR k.received_key < m.received_tstamp
   OR (k.received_key = m.received_tstamp AND k.loaded_tstamp < m.loaded_tstamp)
{%- endcall %};

-- For the run's figures: ids read in more than one copy, and events left without a visitor.
{% call replace_table(table(scratch_schema, 'rs_base_duplicates')) -%}
SELECT c.source_table, c.event_id, c.copies
FROM {{ table(scratch_schema, 'rs_base_changed') }} AS c
WHERE c.copies > 1
{%- endcall %};

{% call replace_table(table(scratch_schema, 'rs_base_dropped')) -%}
SELECT c.source_table, c.event_id
FROM {{ table(scratch_schema, 'rs_base_changed') }} AS c
WHERE c.source_table IN ({% for s in event_sources %}'{{ s }}'{{ ', ' if not loop.last }}{% endfor %})
  AND c.anonymous_id IS NULL AND c.user_id IS NULL
{%- endcall %};

-- Each table's newest load read, for complete to keep.
{% call replace_table(table(scratch_schema, 'rs_base_marks')) -%}
SELECT source_table, MAX(loaded_tstamp) AS loaded_tstamp
FROM (
  SELECT w.source_table, w.loaded_tstamp FROM {{ intermediate_from(window, window_rows) }} AS w
  UNION ALL
  SELECT m.source_table, m.loaded_tstamp FROM {{ table(output_schema, 'rs_load_marks') }} AS m
) AS marks
GROUP BY source_table
{%- endcall %};
