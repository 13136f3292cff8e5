DROP VIEW IF EXISTS {{ table(output_schema, 'event_stream_customer_features_latest') }};
{%- for name in ['rs_features_track_flags', 'rs_features_rows', 'rs_features_order_lines', 'rs_features_currencies',
                 'rs_user_daily',
                 'rs_features_snapshots', 'event_stream_feature_table', 'event_stream_customer_features'] %}
DROP TABLE IF EXISTS {{ table(output_schema, name) }};
{%- endfor %}
