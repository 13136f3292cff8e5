-- For one consumer: every processed event of each session active since the backfill date,
-- as one batch, exactly as main staged them (duplicates already resolved are re-resolved).
INSERT INTO {{ table(scratch_schema, 'events_staged') }}
WITH sessions AS (
  SELECT session_id FROM {{ table(output_schema, 'base_session_id_manifest') }}
  WHERE min_tstamp >= {{ ts_literal(backfill_since) }}
),
raw AS (
  SELECT e.* FROM {{ table(input_schema, 'events') }} AS e
  WHERE e.domain_sessionid IN (SELECT session_id FROM sessions)
    AND e.event_id IN (SELECT event_id FROM {{ table(output_schema, 'base_event_id_manifest') }})
),
ranked AS (
  SELECT r.*, COUNT(*) OVER (PARTITION BY r.event_id) AS copies,
         ROW_NUMBER() OVER (PARTITION BY r.event_id ORDER BY r.collector_tstamp, r.dvce_created_tstamp,
                            r.etl_tstamp, r.event_fingerprint) AS dedupe_rank
  FROM raw AS r
),
page_view_ids AS (
  SELECT root_id, root_tstamp, MIN(id) AS page_view_id
  FROM {{ table(input_schema, 'com_snowplowanalytics_snowplow_web_page_1') }}
  GROUP BY root_id, root_tstamp
)
SELECT {{ batch_id }}, {% for column in atomic_columns %}k.{{ column }}, {% endfor %}p.page_view_id
FROM ranked AS k
LEFT JOIN page_view_ids AS p ON p.root_id = k.event_id AND p.root_tstamp = k.collector_tstamp
WHERE k.dedupe_rank = 1 {% if duplicates == 'exclude' %}AND k.copies = 1{% endif %};
