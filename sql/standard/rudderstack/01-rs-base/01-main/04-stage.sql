-- The batch: the kept copy of each new or changed id. An excluded copy is staged only when the
-- id was staged before (consumers then drop what they built from it).
INSERT INTO {{ table(scratch_schema, 'rs_events_staged') }} (batch_id, {{ rs_event_fields('names') }}, excluded)
SELECT {{ batch_id }}, {{ rs_event_fields('names') }}, excluded
FROM {{ table(scratch_schema, 'rs_base_changed') }}
WHERE source_table IN ({% for s in event_sources %}'{{ s }}'{{ ', ' if not loop.last }}{% endfor %})
  AND (known OR NOT excluded);

INSERT INTO {{ table(scratch_schema, 'rs_identity_links_staged') }}
  (batch_id, source_table, event_id, anonymous_id, user_id, previous_id, event_tstamp, excluded)
SELECT {{ batch_id }}, source_table, event_id, anonymous_id, user_id, previous_id, event_tstamp, link_excluded
FROM {{ table(scratch_schema, 'rs_base_changed') }}
WHERE source_table IN ({% for s in alias_sources %}'{{ s }}'{{ ', ' if not loop.last }}{% endfor %})
  AND (known OR NOT link_excluded);

INSERT INTO {{ table(scratch_schema, 'rs_orders_staged') }}
  (batch_id, event_id, anonymous_id, user_id, event_tstamp, loaded_tstamp, {{ rs_order_fields('names') }}, excluded)
SELECT {{ batch_id }}, event_id, anonymous_id, user_id, event_tstamp, loaded_tstamp, {{ rs_order_fields('names') }}, excluded
FROM {{ table(scratch_schema, 'rs_base_changed') }}
WHERE source_table IN ({{ string_literals(order_sources) if order_sources else "''" }})
  AND (known OR NOT excluded);

INSERT INTO {{ table(scratch_schema, 'rs_event_properties_staged') }}
  (batch_id, source_table, {{ rs_event_fields('names') }}, {{ rs_property_fields('names') }}, excluded)
SELECT {{ batch_id }}, source_table, {{ rs_event_fields('names') }}, {{ rs_property_fields('names') }}, excluded
FROM {{ table(scratch_schema, 'rs_base_changed') }}
WHERE source_table IN ({{ string_literals(property_sources) if property_sources else "''" }})
  AND (known OR NOT excluded);
