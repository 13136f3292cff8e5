-- events_staged: every event of the sessions each run re-read, one batch per run.
CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, 'events_staged') }} (
  batch_id BIGINT NOT NULL,
{%- for column, kind in atomic_fields %}
  {{ column }} {{ column_type(kind) }},
{%- endfor %}
  page_view_id {{ column_type('string') }}
){{ table_options(dist_key='domain_sessionid', sort_keys=['batch_id', 'collector_tstamp']) }};
