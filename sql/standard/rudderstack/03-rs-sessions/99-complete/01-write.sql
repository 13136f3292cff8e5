-- In the transaction that commits the batch and the offsets: for each affected visitor, every
-- session, session fact, mapped event and track fact from its restart point is replaced by
-- what main derived; the last kept session learns its new next_session_start_at; the user
-- facts are replaced (a visitor left with no session loses its row).
{%- set P, S = sessions_prefix, sessions_scratch_prefix %}
{%- set affected = table(scratch_schema, S ~ 'affected') %}
{%- set events = table(scratch_schema, S ~ 'events_this_run') %}
{%- set new_sessions = table(scratch_schema, S ~ 'sessions_this_run') %}
{%- set mapped = table(output_schema, P ~ 'mapped_tracks') %}
{%- set sessions = table(output_schema, P ~ 'session_tracks') %}
{%- set facts = table(output_schema, P ~ 'track_facts') %}
{%- set session_facts = table(output_schema, P ~ 'session_track_facts') %}
{%- set users = table(output_schema, P ~ 'user_session_facts') %}
{%- set ts = quote('timestamp') %}
{%- set counters = session_event_counters | list %}
DELETE FROM {{ session_facts }}
WHERE session_id IN (SELECT st.session_id FROM {{ sessions }} AS st
                     JOIN {{ affected }} AS a ON a.dbt_visitor_id = st.dbt_visitor_id
                     WHERE st.session_start_at >= a.restart_at);

{{ delete_insert(sessions, ['session_id', 'dbt_visitor_id', 'session_start_at', 'session_sequence_number',
                               'next_session_start_at'], new_sessions ~ ' AS s',
                    rs_from_restart(sessions, affected, 'session_start_at')) }};

INSERT INTO {{ session_facts }} (session_id, ended_at, num_pvs, n_events{% for c in counters %}, {{ rs_sql_name(c) }}{% endfor %})
SELECT session_id, ended_at, num_pvs, n_events{% for c in counters %}, {{ rs_sql_name(c) }}{% endfor %}
FROM {{ new_sessions }};

UPDATE {{ sessions }}
SET next_session_start_at = k.next_session_start_at
FROM (SELECT a.dbt_visitor_id, a.kept_sessions, MIN(s.session_start_at) AS next_session_start_at
      FROM {{ affected }} AS a
      LEFT JOIN {{ new_sessions }} AS s ON s.dbt_visitor_id = a.dbt_visitor_id
      WHERE a.kept_sessions > 0
      GROUP BY a.dbt_visitor_id, a.kept_sessions) AS k
WHERE {{ sessions.split('.')[-1] }}.dbt_visitor_id = k.dbt_visitor_id
  AND {{ sessions.split('.')[-1] }}.session_sequence_number = k.kept_sessions;

{{ delete_insert(mapped, ['event_id', 'event_type', 'anonymous_id', 'user_id', 'dbt_visitor_id', 'timestamp', 'event',
                             'idle_time_minutes', 'idle_time_seconds'],
                    '(SELECT e.*, e.event_tstamp AS ' ~ ts ~ ' FROM ' ~ events ~ ' AS e) AS e',
                    rs_from_restart(mapped, affected, ts)) }};

{{ delete_insert(facts, ['event_id', 'session_id', 'dbt_visitor_id', 'track_sequence_number', 'anonymous_id',
                            'timestamp', 'event', 'event_type'],
                    '(SELECT e.*, e.event_tstamp AS ' ~ ts ~ ' FROM ' ~ events ~ ' AS e) AS e',
                    rs_from_restart(facts, affected, ts)) }};

{{ delete_insert(users, ['dbt_visitor_id', 'first_date', 'last_date', 'number_of_sessions'],
                    table(scratch_schema, S ~ 'users_this_run') ~ ' AS u',
                    'dbt_visitor_id IN (SELECT dbt_visitor_id FROM ' ~ affected ~ ')') }};
