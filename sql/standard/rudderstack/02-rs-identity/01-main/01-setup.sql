{%- if alias_resolution not in ('last', 'first') -%}
{{ fail("alias_resolution must be 'last' or 'first', not '" ~ alias_resolution ~ "'") }}
{%- endif -%}
-- rs_remaps_staged: each id whose visitor changed, with the visitor it had (itself when it had
-- none), the one it has now, and the earliest time of the rows it occurs in.
CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, 'rs_remaps_staged') }} (
  batch_id        BIGINT NOT NULL,
  alias           {{ column_type('string') }} NOT NULL,
  old_visitor_id  {{ column_type('string') }} NOT NULL,
  new_visitor_id  {{ column_type('string') }} NOT NULL,
  affected_from   TIMESTAMP
){{ table_options(dist_key='alias', sort_keys='batch_id') }};

CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'dbt_aliases_mapping') }} (
  alias                 {{ column_type('string') }} NOT NULL,
  dbt_visitor_id        {{ column_type('string') }} NOT NULL,
  first_seen_at         TIMESTAMP,
  last_seen_at          TIMESTAMP,
  resolved_by_event_id  {{ column_type('string') }}
){{ table_options(dist_key='alias', sort_keys='alias') }};
{{ create_index('dbt_aliases_mapping' ~ entropy ~ '_alias', table(output_schema, 'dbt_aliases_mapping'), 'alias') }};
