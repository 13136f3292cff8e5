-- The rows main found give way to what it derived (see module.yml: this and every write below
-- commit with the offsets, or not at all): each track's channel, each identify and e-commerce
-- row with its visitor (an excluded one, or one left without a visitor, loses its row), and
-- the lines of each order read again.
{%- set flags = table(output_schema, 'rs_features_track_flags') %}
{%- set flags_in = table(scratch_schema, 'rs_features_flags_in') %}
{%- set rows = table(output_schema, 'rs_features_rows') %}
{%- set touched = table(scratch_schema, 'rs_features_touched') %}
{%- set lines = table(output_schema, 'rs_features_order_lines') %}
{%- set props_in = table(scratch_schema, 'rs_features_props_in') %}
{{ delete_insert(flags, ['event_id', 'is_mobile', 'is_web', 'campaign_source'],
                 '(SELECT * FROM ' ~ flags_in ~ ' WHERE NOT excluded) AS f',
                 same_keys(flags, flags_in, ['event_id'])) }};

{{ delete_insert(rows, ['source_table', 'event_id', 'anonymous_id', 'user_id', 'visitor_id', 'event_tstamp',
                        'event_date', 'is_mobile', 'is_web', 'campaign_source', 'email_domain', 'gender', 'birthday',
                        'country', 'state', 'created_at', 'cart_id', 'product_ref', 'payment_method', 'order_id',
                        'amount', 'units'],
                 '(SELECT * FROM ' ~ touched ~ ' WHERE visitor_id IS NOT NULL) AS t',
                 same_keys(rows, touched, ['event_id'])) }};

{{ delete_insert(lines, ['event_id', 'line_no', 'product_ref', 'category_ref', 'quantity', 'line_amount'],
                 table(scratch_schema, 'rs_features_lines_in') ~ ' AS l',
                 same_keys(lines, props_in, ['event_id'])) }};

{%- set currencies = table(output_schema, 'rs_features_currencies') %}
INSERT INTO {{ currencies }} (currency)
SELECT DISTINCT p.currency
FROM {{ props_in }} AS p
WHERE p.source_table = 'order_completed' AND NOT p.excluded AND p.currency IS NOT NULL
  AND p.currency NOT IN (SELECT c.currency FROM {{ currencies }} AS c);
