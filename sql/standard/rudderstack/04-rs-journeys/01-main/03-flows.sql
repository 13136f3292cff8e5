-- The flows and journeys of every session of those visitors from their restart points, from
-- one read of the track facts. `next`: event_k is the name of the event k-1 positions later in
-- the session (NULL past its end). `seed_prefix`: the seed's output, where `event` is the
-- session's first event and event_k its k-th once the row's position reaches k.
{%- set n = number(journey_length) %}
{%- set ev = quote('event') %}
{%- set ts = quote('timestamp') %}
{%- set session_order = 'PARTITION BY f.session_id ORDER BY f.track_sequence_number' %}
{% call replace_table(table(scratch_schema, 'rs_journeys_flows_this_run')) -%}
SELECT f.event_id, f.session_id, f.track_sequence_number,
{%- if journey_mode == 'next' %}
       f.{{ ev }},
{%- else %}
       FIRST_VALUE(f.{{ ev }}) OVER ({{ session_order }} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
         AS {{ ev }},
{%- endif %}
       f.dbt_visitor_id, f.{{ ts }}
{%- for k in range(2, n + 1) %},
{%- if journey_mode == 'next' %}
       LEAD(f.{{ ev }}, {{ k - 1 }}) OVER ({{ session_order }}) AS event_{{ k }}
{%- else %}
       CASE WHEN f.track_sequence_number >= {{ k }}
            THEN MAX(CASE WHEN f.track_sequence_number = {{ k }} THEN f.{{ ev }} END) OVER (PARTITION BY f.session_id)
       END AS event_{{ k }}
{%- endif %}
{%- endfor %}
FROM {{ table(output_schema, 'dbt_track_facts') }} AS f
JOIN {{ table(scratch_schema, 'rs_journeys_changes') }} AS c
  ON c.dbt_visitor_id = f.dbt_visitor_id AND f.{{ ts }} >= c.restart_at
{%- endcall %};

{% call replace_table(table(scratch_schema, 'rs_journeys_sessions_this_run')) -%}
SELECT session_id, dbt_visitor_id, MIN({{ ts }}) AS session_start_at
{%- for k in range(1, n + 1) %},
       MAX(CASE WHEN track_sequence_number = {{ k }} THEN {{ ev if journey_mode == 'next' or k == 1 else 'event_' ~ k }} END) AS event_{{ k }}
{%- endfor %},
       COUNT(*) AS n_events
FROM {{ table(scratch_schema, 'rs_journeys_flows_this_run') }}
GROUP BY session_id, dbt_visitor_id
{%- endcall %};
