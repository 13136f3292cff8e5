-- Warn: amounts are summed as the orders give them, in one currency assumed. The orders of this
-- run in a currency other than reporting_currency; with none set, this run's orders as soon as
-- the currencies seen so far and this run's are more than one. An order without a currency is
-- taken to be in the reporting one.
{%- set props_in = table(scratch_schema, 'rs_features_props_in') %}
WITH orders AS (
  SELECT p.event_id, p.order_id, p.currency
  FROM {{ props_in }} AS p
  WHERE p.source_table = 'order_completed' AND NOT p.excluded AND p.currency IS NOT NULL
)
SELECT o.event_id, o.order_id, o.currency
FROM orders AS o
{%- if reporting_currency %}
WHERE o.currency <> UPPER({{ string_literals([reporting_currency]) }})
{%- else %}
WHERE (SELECT COUNT(*) FROM (SELECT currency FROM orders
                             UNION SELECT currency FROM {{ table(output_schema, 'rs_features_currencies') }}) AS c) > 1
{%- endif %}
