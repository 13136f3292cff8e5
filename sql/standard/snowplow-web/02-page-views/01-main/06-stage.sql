{%- if stage_next -%}
{%- set enrichments = namespace(joined=[], selected=[], added=[], absent=[]) -%}
{{- page_view_enrichments(enrichments, enable_iab, enable_ua_parser, enable_yauaa) -}}
-- The batch for sessions: every page view of each session read this run, and for a session
-- left with none (its page views were duplicates or bots) one row with no page_view_id, so
-- the sessions module learns to drop it.
{{ append(table(scratch_schema, 'page_views_staged'), table(scratch_schema, 'page_views_this_run'),
          columns(table(scratch_schema, 'page_views_staged')), enrichments.added, enrichments.absent,
          dist_key='domain_sessionid', sort_keys='start_tstamp') }};

INSERT INTO {{ table(scratch_schema, 'page_views_staged') }} (batch_id, page_view_id, domain_sessionid, domain_userid,
                                                              start_tstamp)
SELECT {{ batch_id }}, NULL, s.domain_sessionid, MIN(s.domain_userid), MIN(s.derived_tstamp)
FROM {{ table(scratch_schema, 'pv_events') }} AS s
WHERE NOT EXISTS (SELECT 1 FROM {{ table(scratch_schema, 'page_views_this_run') }} AS pv
                  WHERE pv.domain_sessionid = s.domain_sessionid)
GROUP BY s.domain_sessionid;
{%- else -%}
SELECT 'stage_next: false, nothing staged' AS note;
{%- endif %}
