-- growth_attribution_work_staged: per user, the earliest time from which its registrations'
-- attribution may have changed (a session at t can credit any registration at or after t).
CREATE TABLE IF NOT EXISTS {{ table(scratch_schema, 'growth_attribution_work_staged') }} (
  batch_id       BIGINT NOT NULL,
  user_id        BIGINT NOT NULL,
  affected_from  TIMESTAMP NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['batch_id']) }};

CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'dim_user') }} (
  user_sk  VARCHAR(32) NOT NULL,
  user_id  BIGINT NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['user_id']) }};
{{ create_index('dim_user' ~ entropy ~ '_id', table(output_schema, 'dim_user'), 'user_id') }};

CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'dim_channel') }} (
  channel_sk  VARCHAR(32) NOT NULL,
  channel     {{ column_type('string') }} NOT NULL,
  sessions    BIGINT NOT NULL
){{ table_options(dist_key='all') }};

CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'fact_sessions') }} (
  session_sk          VARCHAR(32) NOT NULL,
  user_sk             VARCHAR(32) NOT NULL,
  user_id             BIGINT NOT NULL,
  session_start_time  TIMESTAMP NOT NULL,
  is_paid_session     BOOLEAN,
  channel_sk          VARCHAR(32) NOT NULL,
  channel             {{ column_type('string') }} NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['user_id', 'session_start_time']) }};
{{ create_index('fact_sessions' ~ entropy ~ '_sk', table(output_schema, 'fact_sessions'), 'session_sk') }};
{{ create_index('fact_sessions' ~ entropy ~ '_user', table(output_schema, 'fact_sessions'), 'user_id, session_start_time') }};

CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'fact_registrations') }} (
  registration_sk    VARCHAR(32) NOT NULL,
  user_sk            VARCHAR(32) NOT NULL,
  user_id            BIGINT NOT NULL,
  registration_time  TIMESTAMP NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['user_id', 'registration_time']) }};
{{ create_index('fact_registrations' ~ entropy ~ '_sk', table(output_schema, 'fact_registrations'), 'registration_sk') }};
{{ create_index('fact_registrations' ~ entropy ~ '_user', table(output_schema, 'fact_registrations'),
                'user_id, registration_time') }};
