{%- set n = number(journey_length) %}
{%- if n < 1 %}{{ fail("journey_length must be at least 1") }}{% endif %}
{%- if journey_mode not in ('next', 'seed_prefix') %}{{ fail("journey_mode must be 'next' or 'seed_prefix', not '" ~ journey_mode ~ "'") }}{% endif %}
{%- set flow = table(output_schema, 'dbt_tracks_flow') %}
{%- set journeys = table(output_schema, 'session_journeys') %}
{%- set have = columns(flow) %}
{%- if have and (('event_' ~ n) not in have and n > 1 or ('event_' ~ (n + 1)) in have) %}
{{ fail("journey_length is now " ~ n ~ " but " ~ flow ~ " was built with another: run `sluice run --full-refresh rs_journeys` to rebuild it") }}
{%- endif %}
{%- set string = column_type('string') %}
-- Each event with the events that follow it in its session (the journey).
CREATE TABLE IF NOT EXISTS {{ flow }} (
  event_id               {{ string }} NOT NULL,
  session_id             {{ string }} NOT NULL,
  track_sequence_number  BIGINT NOT NULL,
  {{ quote('event') }}                {{ string }},
  dbt_visitor_id         {{ string }} NOT NULL,
  {{ quote('timestamp') }}            TIMESTAMP NOT NULL
{%- for k in range(2, n + 1) %},
  event_{{ k }}  {{ string }}
{%- endfor %}
){{ table_options(dist_key='dbt_visitor_id', sort_keys=['dbt_visitor_id', quote('timestamp')]) }};
{{ create_index('dbt_tracks_flow' ~ entropy ~ '_visitor', flow, 'dbt_visitor_id, ' ~ quote('timestamp')) }};

-- One row per session: its first events and how many it has.
CREATE TABLE IF NOT EXISTS {{ journeys }} (
  session_id        {{ string }} NOT NULL,
  dbt_visitor_id    {{ string }} NOT NULL,
  session_start_at  TIMESTAMP NOT NULL
{%- for k in range(1, n + 1) %},
  event_{{ k }}  {{ string }}
{%- endfor %},
  n_events          BIGINT NOT NULL
){{ table_options(dist_key='dbt_visitor_id', sort_keys=['dbt_visitor_id', 'session_start_at']) }};
{{ create_index('session_journeys' ~ entropy ~ '_visitor', journeys, 'dbt_visitor_id, session_start_at') }};
