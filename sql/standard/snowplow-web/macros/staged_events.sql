{#- What the base module stages, shared by its main and its backfill so the two cannot drift:
    which events may be staged at all, and how the events read for a set of sessions become
    the staged rows (duplicates resolved, page view ids joined). -#}

{#- True for an event base may stage: it has an id and a session, it was collected on or after
    `start_date`, it was sent at most `days_late_allowed` days after it was created, and it
    belongs to one of `app_ids` (all apps when the list is empty). `e` is the events' alias. -#}
{% macro default__stageable_event(e, start_date, days_late_allowed, app_ids) -%}
({{ e }}.event_id IS NOT NULL
  AND {{ e }}.domain_sessionid IS NOT NULL AND {{ e }}.domain_sessionid <> ''
  AND {{ e }}.collector_tstamp >= {{ ts_literal(start_date) }}
  AND ({{ e }}.dvce_sent_tstamp IS NULL OR {{ e }}.dvce_created_tstamp IS NULL
       OR {{ e }}.dvce_sent_tstamp <= {{ dateadd('day', number(days_late_allowed), e ~ '.dvce_created_tstamp') }})
{%- if app_ids %}
  AND {{ e }}.app_id IN ({{ string_literals(app_ids) }})
{%- endif %})
{%- endmacro %}

{#- The staged rows from `raw`, every copy of the events read for some sessions: an event id
    with several copies keeps none of them (`duplicates: exclude`, Snowplow v1) or its first
    (`keep_first`); each event gets its page view id from the web-page context `web_page`. -#}
{% macro default__staged_events(raw, web_page, duplicates) -%}
{%- if duplicates not in ('exclude', 'keep_first') -%}
{{ fail("duplicates must be 'exclude' or 'keep_first', not '" ~ duplicates ~ "'") }}
{%- endif -%}
SELECT {% for column in atomic_columns %}k.{{ column }}, {% endfor %}p.page_view_id
FROM (
  SELECT r.*,
         COUNT(*) OVER (PARTITION BY r.event_id) AS copies,
         ROW_NUMBER() OVER (PARTITION BY r.event_id ORDER BY r.collector_tstamp, r.dvce_created_tstamp, r.etl_tstamp,
                                                            r.event_fingerprint) AS copy_rank
  FROM {{ raw }} AS r
) AS k
LEFT JOIN (
  SELECT wp.root_id, wp.root_tstamp, MIN(wp.id) AS page_view_id
  FROM {{ web_page }} AS wp
  WHERE wp.root_id IN (SELECT event_id FROM {{ raw }})
  GROUP BY wp.root_id, wp.root_tstamp
) AS p ON p.root_id = k.event_id AND p.root_tstamp = k.collector_tstamp
WHERE k.copy_rank = 1{% if duplicates == 'exclude' %} AND k.copies = 1{% endif %}
{%- endmacro %}
