-- Web model: every user the users module has processed, with their first session start.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'users_manifest') }} (
  domain_userid  VARCHAR(128) NOT NULL,
  start_tstamp   TIMESTAMP    NOT NULL
){{ table_options(dist_key='domain_userid', sort_keys='start_tstamp') }};
