{%- for name in ['rs_metrics_event_dims', 'rs_metrics_events', 'rs_session_metrics', 'rs_daily_visitor_activity',
                 'rs_user_first_touch', 'rs_daily_metrics', 'rs_daily_session_metrics_by_dim',
                 'rs_daily_dau_by_first_touch'] %}
DROP TABLE IF EXISTS {{ table(output_schema, name) }};
{%- endfor %}
