-- RudderStack: the identity module's memory, one row per deduplicated input row that carries
-- an id (anonymous_id, user_id, previous_id), so an alias's mapping can be recomputed from
-- every row it occurs in when any of them changes.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'rs_identity_rows') }} (
  source_table  VARCHAR(32) NOT NULL,
  event_id      {{ column_type('string') }} NOT NULL,
  anonymous_id  {{ column_type('string') }},
  user_id       {{ column_type('string') }},
  previous_id   {{ column_type('string') }},
  event_tstamp  TIMESTAMP
){{ table_options(dist_key='event_id', sort_keys='event_tstamp') }};
{{ create_index('rs_identity_rows' ~ entropy ~ '_id', table(output_schema, 'rs_identity_rows'), 'event_id') }};
{{ create_index('rs_identity_rows' ~ entropy ~ '_anon', table(output_schema, 'rs_identity_rows'), 'anonymous_id') }};
{{ create_index('rs_identity_rows' ~ entropy ~ '_user', table(output_schema, 'rs_identity_rows'), 'user_id') }};
{{ create_index('rs_identity_rows' ~ entropy ~ '_prev', table(output_schema, 'rs_identity_rows'), 'previous_id') }};
