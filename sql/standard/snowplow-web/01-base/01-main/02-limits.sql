-- The ranges of load_tstamp this run reads: everything loaded after the newest load read so
-- far (slot 0), and the gaps between the last lookback_loads loads read (slots 1..), where a
-- load that committed after a later one was read (two loads at once) would sit. No range
-- holds a load already read, so however large a load was it is read once: the cost of
-- finding new events follows what is new, never history. Each load is one load_tstamp value
-- (see sql/input/01-atomic-events.sql).
{% call replace_table(table(scratch_schema, 'base_new_events_limits')) -%}
WITH loads AS (
  SELECT load_tstamp,
         ROW_NUMBER() OVER (ORDER BY load_tstamp DESC) AS age,
         LEAD(load_tstamp) OVER (ORDER BY load_tstamp DESC) AS previous_tstamp
  FROM {{ table(output_schema, 'base_load_manifest') }}
)
SELECT 0 AS slot,
       COALESCE(MAX(load_tstamp), CAST('1900-01-01 00:00:00' AS TIMESTAMP)) AS after_tstamp,
       CAST('9999-12-31 00:00:00' AS TIMESTAMP) AS before_tstamp
FROM loads
UNION ALL
-- Below the oldest load remembered there is a gap only while none has been forgotten yet.
SELECT age AS slot, COALESCE(previous_tstamp, CAST('1900-01-01 00:00:00' AS TIMESTAMP)) AS after_tstamp,
       load_tstamp AS before_tstamp
FROM loads
WHERE age <= {{ number(lookback_loads) }}
{%- endcall %};
