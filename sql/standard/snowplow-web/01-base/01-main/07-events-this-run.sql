{%- if duplicates not in ('exclude', 'keep_first') -%}
{{ fail("duplicates must be 'exclude' or 'keep_first', not '" ~ duplicates ~ "'") }}
{%- endif -%}
-- Duplicated event ids are logged, then every copy is removed (exclude, as Snowplow v1) or
-- the earliest copy kept (keep_first). Each event gets its page view id from the web-page
-- context.
DROP TABLE IF EXISTS {{ table(scratch_schema, 'base_duplicates_this_run') }};
CREATE TABLE {{ table(scratch_schema, 'base_duplicates_this_run') }} AS
SELECT event_id, COUNT(*) AS copies, MIN(collector_tstamp) AS min_tstamp, MAX(collector_tstamp) AS max_tstamp
FROM {{ table(scratch_schema, 'base_events_this_run_raw') }}
GROUP BY event_id
HAVING COUNT(*) > 1;

DROP TABLE IF EXISTS {{ table(scratch_schema, 'events_this_run') }};
CREATE TABLE {{ table(scratch_schema, 'events_this_run') }} AS
WITH ranked AS (
  SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.event_id
                                 ORDER BY r.collector_tstamp, r.dvce_created_tstamp, r.etl_tstamp,
                                          r.event_fingerprint) AS dedupe_rank
  FROM {{ table(scratch_schema, 'base_events_this_run_raw') }} AS r
{%- if duplicates == 'exclude' %}
  WHERE NOT EXISTS (SELECT 1 FROM {{ table(scratch_schema, 'base_duplicates_this_run') }} AS d
                    WHERE d.event_id = r.event_id)
{%- endif %}
),
page_view_ids AS (
  SELECT wp.root_id, wp.root_tstamp, MIN(wp.id) AS page_view_id
  FROM {{ table(input_schema, 'com_snowplowanalytics_snowplow_web_page_1') }} AS wp
  WHERE wp.root_id IN (SELECT event_id FROM {{ table(scratch_schema, 'base_events_this_run_raw') }})
  GROUP BY wp.root_id, wp.root_tstamp
)
SELECT {% for column in atomic_columns %}k.{{ column }}, {% endfor %}p.page_view_id
FROM ranked AS k
LEFT JOIN page_view_ids AS p ON p.root_id = k.event_id AND p.root_tstamp = k.collector_tstamp
WHERE k.dedupe_rank = 1;
