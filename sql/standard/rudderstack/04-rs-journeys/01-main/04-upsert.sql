-- Replace each visitor's flows and journeys from its restart point.
{%- set n = number(journey_length) %}
{%- set changes = table(scratch_schema, 'rs_journeys_changes') %}
{%- set flow = table(output_schema, 'dbt_tracks_flow') %}
{%- set journeys = table(output_schema, 'session_journeys') %}
{%- set ts = quote('timestamp') %}
{%- set flow_columns = ['event_id', 'session_id', 'track_sequence_number', 'event', 'dbt_visitor_id', 'timestamp'] %}
{%- set journey_columns = ['session_id', 'dbt_visitor_id', 'session_start_at', 'n_events'] %}
{%- for k in range(1, n + 1) %}
{%- if k > 1 %}{% set _ = flow_columns.append('event_' ~ k) %}{% endif %}
{%- set _ = journey_columns.append('event_' ~ k) %}
{%- endfor %}
{{ delete_insert(flow, flow_columns, table(scratch_schema, 'rs_journeys_flows_this_run') ~ ' AS f',
                    rs_from_restart(flow, changes, ts)) }};

{{ delete_insert(journeys, journey_columns, table(scratch_schema, 'rs_journeys_sessions_this_run') ~ ' AS j',
                    rs_from_restart(journeys, changes, 'session_start_at')) }};
