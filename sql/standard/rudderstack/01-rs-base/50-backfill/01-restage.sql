-- For one consumer: the kept copy of every id (rs_event_id_manifest) with an event time since
-- the backfill date, read again from the RudderStack tables, as one batch of the staged table
-- the consumer asked for. Excluded copies are left out: the consumer never saw them.
{%- macro kept_rows(found, manifest) %}
{%- for s in found %}
{%- set cols = columns(table(rs_schema, s)) %}
UNION ALL
{{ rs_source_rows(s, table(rs_schema, s), cols, s in order_sources) }}
JOIN {{ manifest }} AS m
  ON m.source_table = '{{ s }}' AND m.event_id = r.id AND m.loaded_tstamp = CAST(r.uuid_ts AS TIMESTAMP)
 AND m.received_tstamp = COALESCE({{ rs_column(cols, 'received_at', 'datetime') }}, CAST(r.uuid_ts AS TIMESTAMP))
{%- endfor %}
{%- endmacro %}
{%- set wanted = {'rs_events_staged': event_sources, 'rs_orders_staged': order_sources}.get(backfill_table, alias_sources) %}
{%- set manifest = table(output_schema, 'rs_event_id_manifest') %}
{%- set found = [] %}
{%- for s in wanted if 'id' in columns(table(rs_schema, s)) and 'uuid_ts' in columns(table(rs_schema, s)) and 'timestamp' in columns(table(rs_schema, s)) %}{% set _ = found.append(s) %}{% endfor %}
{%- if backfill_table == 'rs_events_staged' %}
INSERT INTO {{ table(scratch_schema, 'rs_events_staged') }} (batch_id, {{ rs_event_fields('names') }}, excluded)
SELECT {{ batch_id }}, {{ rs_event_fields('names') }}, FALSE
{%- elif backfill_table == 'rs_orders_staged' %}
INSERT INTO {{ table(scratch_schema, 'rs_orders_staged') }}
  (batch_id, event_id, anonymous_id, user_id, event_tstamp, loaded_tstamp, {{ rs_order_fields('names') }}, excluded)
SELECT {{ batch_id }}, event_id, anonymous_id, user_id, event_tstamp, loaded_tstamp, {{ rs_order_fields('names') }}, FALSE
{%- else %}
INSERT INTO {{ table(scratch_schema, 'rs_identity_links_staged') }}
  (batch_id, source_table, event_id, anonymous_id, user_id, previous_id, event_tstamp, excluded)
SELECT {{ batch_id }}, source_table, event_id, anonymous_id, user_id, previous_id, event_tstamp, FALSE
{%- endif %}
FROM {{ first_per('(' ~ rs_no_rows() ~ kept_rows(found, manifest) ~ ')', 'source_table, event_id',
                  rs_copy_order()) }} AS k
WHERE k.event_tstamp >= {{ ts_literal(backfill_since) }}
{%- if start_date %}
  AND k.event_tstamp >= {{ ts_literal(start_date) }}
{%- endif %}
  AND (k.anonymous_id IS NOT NULL OR k.user_id IS NOT NULL
       {%- if backfill_table == 'rs_identity_links_staged' %} OR k.previous_id IS NOT NULL{% endif %});
