-- The staged batches: every session new or corrected this run, every new registration.
CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, 'growth_sessions_staged') }} (
  batch_id            BIGINT NOT NULL,
  session_sk          VARCHAR(32) NOT NULL,
  user_id             BIGINT NOT NULL,
  user_sk             VARCHAR(32) NOT NULL,
  session_start_time  TIMESTAMP NOT NULL,
  is_paid_session     BOOLEAN,
  channel             {{ column_type('string') }} NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['batch_id']) }};

CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, 'growth_registrations_staged') }} (
  batch_id           BIGINT NOT NULL,
  registration_sk    VARCHAR(32) NOT NULL,
  user_id            BIGINT NOT NULL,
  user_sk            VARCHAR(32) NOT NULL,
  registration_time  TIMESTAMP NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['batch_id']) }};

-- The staging tables: one row per natural key, whatever the loads held.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'growth_all_sessions') }} (
  session_sk          VARCHAR(32) NOT NULL,
  user_id             BIGINT NOT NULL,
  user_sk             VARCHAR(32) NOT NULL,
  session_start_time  TIMESTAMP NOT NULL,
  is_paid_session     BOOLEAN,
  channel             {{ column_type('string') }} NOT NULL,
  row_hash            VARCHAR(32) NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['session_start_time']) }};
{{ create_index('growth_all_sessions' ~ entropy ~ '_sk', table(output_schema, 'growth_all_sessions'), 'session_sk') }};
{{ create_index('growth_all_sessions' ~ entropy ~ '_user', table(output_schema, 'growth_all_sessions'), 'user_id') }};

CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'growth_all_registrations') }} (
  registration_sk    VARCHAR(32) NOT NULL,
  user_id            BIGINT NOT NULL,
  user_sk            VARCHAR(32) NOT NULL,
  registration_time  TIMESTAMP NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['registration_time']) }};
{{ create_index('growth_all_registrations' ~ entropy ~ '_sk', table(output_schema, 'growth_all_registrations'),
                'registration_sk') }};
{{ create_index('growth_all_registrations' ~ entropy ~ '_user', table(output_schema, 'growth_all_registrations'),
                'user_id') }};

CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'growth_users') }} (
  user_sk  VARCHAR(32) NOT NULL,
  user_id  BIGINT NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['user_id']) }};
{{ create_index('growth_users' ~ entropy ~ '_id', table(output_schema, 'growth_users'), 'user_id') }};
