-- Volume: the rows this run produced (in counted_table, a scratch table) against the mean of
-- the module's last 7 runs that produced any; fails when the two differ by more than
-- volume_tolerance of that mean. Quiet until three such runs exist to compare with.
SELECT this_run.n_rows, history.mean_rows, history.runs
FROM (SELECT COUNT(*) AS n_rows FROM {{ table(scratch_schema, counted_table) }}) AS this_run
CROSS JOIN (
  SELECT AVG(CAST(rows_this_run AS DOUBLE PRECISION)) AS mean_rows, COUNT(*) AS runs
  FROM (
    SELECT rows_this_run FROM {{ table(output_schema, 'datamodel_metadata') }}
    WHERE module = '{{ module }}' AND outcome = 'complete' AND rows_this_run > 0
    ORDER BY run_start_tstamp DESC
    LIMIT 7
  ) AS recent
) AS history
WHERE history.runs >= 3
  AND ABS(this_run.n_rows - history.mean_rows) > {{ number(volume_tolerance) }} * history.mean_rows
