-- The rows main found replaced give way to the rows it derived (see module.yml: this and
-- every write below commit with the offsets, or not at all).
{%- set events = table(output_schema, 'rs_metrics_events') %}
{{ delete_insert(events, ['event_id', 'visitor_id', 'anonymous_id', 'user_key', 'event_type', 'event_tstamp',
                          'event_date', 'session_key'],
                 table(scratch_schema, 'rs_daily_metrics_events_this_run') ~ ' AS n',
                 same_keys(events, table(scratch_schema, 'rs_daily_metrics_replaced'), ['event_id'])) }};
