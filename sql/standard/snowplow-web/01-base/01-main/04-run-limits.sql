-- This run processes at most update_cadence_days of event time, counted from the first event
-- waiting (new, or read earlier and held in the backlog), so a gap in the data never stalls
-- the model; the rest waits in the backlog, and the next run takes it from there rather than
-- reading its loads again.
{% call replace_table(table(scratch_schema, 'base_run_limits')) -%}
SELECT {{ dateadd('day', number(update_cadence_days), 'MIN(first_tstamp)') }} AS upper_limit,
       {{ dateadd('day', -number(session_lookback_days), 'MIN(first_tstamp)') }} AS session_limit
FROM (
  SELECT MIN(collector_tstamp) AS first_tstamp FROM {{ table(output_schema, 'base_event_backlog') }}
  UNION ALL
  SELECT MIN(collector_tstamp) FROM {{ table(scratch_schema, 'base_new_event_candidates') }} WHERE stageable
) AS waiting
{%- endcall %};
