-- Every row of the loads not read yet, one plain load_tstamp range at a time (an index range
-- on PostgreSQL, row groups skipped by their min/max on DuckDB, blocks by zone maps on
-- Redshift), and whether base may stage it. A row is read once, so it is new: a duplicate
-- arriving in a later load is a new row, and sends its session back through the model.
-- (A gap between two loads inside one row group or block cannot be skipped by min/max: on
-- DuckDB and Redshift the look-back reads at most the blocks of the last lookback_loads loads.)
{% call replace_table(table(scratch_schema, 'base_new_event_candidates')) -%}
SELECT u.event_id, u.domain_sessionid, u.collector_tstamp, u.load_tstamp,
       COALESCE({{ stageable_event('u', start_date, days_late_allowed, app_ids) }}, FALSE) AS stageable
FROM (
{%- for slot in range(number(lookback_loads) + 1) %}
{%- if not loop.first %}
  UNION ALL
{%- endif %}
  SELECT e.event_id, e.domain_sessionid, e.collector_tstamp, e.load_tstamp, e.app_id, e.dvce_created_tstamp,
         e.dvce_sent_tstamp
  FROM {{ table(input_schema, 'events') }} AS e
  WHERE e.load_tstamp > (SELECT after_tstamp FROM {{ table(scratch_schema, 'base_new_events_limits') }}
                         WHERE slot = {{ slot }})
    AND e.load_tstamp < (SELECT before_tstamp FROM {{ table(scratch_schema, 'base_new_events_limits') }}
                         WHERE slot = {{ slot }})
{%- endfor %}
) AS u
{%- endcall %};
