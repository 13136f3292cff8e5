-- Sessions read this run that no longer have page views, with the user they belonged to.
DROP TABLE IF EXISTS {{ table(scratch_schema, 'sessions_dropped') }};
CREATE TABLE {{ table(scratch_schema, 'sessions_dropped') }} (
  domain_sessionid {{ column_type('string') }},
  domain_userid {{ column_type('string') }},
  start_tstamp TIMESTAMP
){{ table_options(dist_key='domain_userid') }};
{%- set existing = columns(table(output_schema, 'sessions')) %}
{%- if existing %}

-- The ids are subtracted first (a set operation, no join): as an anti-join under the semi-join,
-- PostgreSQL expected one row from it (nearly every session read has a row this run) and
-- rescanned the page views for each of the 12,655 it got, 172 s at 1M events.
INSERT INTO {{ table(scratch_schema, 'sessions_dropped') }} (domain_sessionid, domain_userid, start_tstamp)
SELECT s.domain_sessionid, s.domain_userid, s.start_tstamp
FROM {{ table(output_schema, 'sessions') }} AS s
WHERE s.domain_sessionid IN (SELECT domain_sessionid FROM {{ table(scratch_schema, 'sessions_page_views') }}
                             EXCEPT
                             SELECT domain_sessionid FROM {{ table(scratch_schema, 'sessions_this_run') }});
{%- endif %}
{%- if not skip_derived %}
{%- set replace -%}
domain_sessionid IN (SELECT domain_sessionid FROM {{ table(scratch_schema, 'sessions_page_views') }})
  AND start_tstamp >= (SELECT {{ dateadd('day', -number(upsert_lookback_days), 'MIN(start_tstamp)') }}
                       FROM {{ table(scratch_schema, 'sessions_page_views') }})
{%- endset %}

{{ upsert(table(output_schema, 'sessions'), table(scratch_schema, 'sessions_this_run'), existing, replace,
          dist_key='domain_sessionid', sort_keys='start_tstamp') }};
{%- endif %}
{%- if stage_next %}

-- For users: each affected user (by a changed or dropped session) and their earliest start.
CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, 'sessions_userid_manifest_staged') }} (
  batch_id BIGINT NOT NULL,
  domain_userid {{ column_type('string') }},
  start_tstamp TIMESTAMP
){{ table_options(dist_key='domain_userid', sort_keys='batch_id') }};

INSERT INTO {{ table(scratch_schema, 'sessions_userid_manifest_staged') }} (batch_id, domain_userid, start_tstamp)
SELECT {{ batch_id }}, domain_userid, MIN(start_tstamp)
FROM (
  SELECT domain_userid, start_tstamp FROM {{ table(scratch_schema, 'sessions_this_run') }}
  UNION ALL
  SELECT domain_userid, start_tstamp FROM {{ table(scratch_schema, 'sessions_dropped') }}
) AS affected
WHERE domain_userid IS NOT NULL
GROUP BY domain_userid;
{%- endif %}
