-- For one consumer: each session active since the backfill date (a copy of one of its events
-- staged, collected on or after it), whole, as one batch, exactly as main last staged it: the
-- copies main staged are those in the event manifest, and they become rows by the same SQL
-- (staged_events). Events main never staged (sent too late, or a session continued past
-- days_late_allowed) stay out.
INSERT INTO {{ table(scratch_schema, 'events_staged') }}
  (batch_id, {% for column in atomic_columns %}{{ column }}, {% endfor %}page_view_id)
WITH staged_copies AS (
  SELECT e.*
  FROM {{ table(input_schema, 'events') }} AS e
  WHERE EXISTS (SELECT 1 FROM {{ table(output_schema, 'base_event_id_manifest') }} AS m
                WHERE m.event_id = e.event_id AND m.collector_tstamp = e.collector_tstamp
                  AND m.load_tstamp = e.load_tstamp)
    AND {{ stageable_event('e', start_date, days_late_allowed, app_ids) }}
),
raw AS (
  SELECT s.* FROM staged_copies AS s
  WHERE s.domain_sessionid IN (SELECT domain_sessionid FROM staged_copies
                               WHERE collector_tstamp >= {{ ts_literal(backfill_since) }})
)
SELECT {{ batch_id }}, {% for column in atomic_columns %}{{ column }}, {% endfor %}page_view_id
FROM ({{ staged_events('raw', table(input_schema, 'com_snowplowanalytics_snowplow_web_page_1'), duplicates) }}
) AS staged;
