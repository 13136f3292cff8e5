-- Each pair written gives way to its new rows, wide and long (a pair without a row now, such as
-- a visitor moved away by a remap, only loses its rows); the dates built are recorded; the
-- snapshots before the retained dates are dropped. row_id: visitor | date [| feature]. On
-- PostgreSQL the long rows go in by snapshot and visitor (insert_by_name's order_by): a visitor's
-- 55 rows of a snapshot then share a page or two, and the next run that restates that pair
-- deletes them from there, not from 55 pages.
{%- set long = table(output_schema, 'event_stream_feature_table') %}
{%- set wide = table(output_schema, 'event_stream_customer_features') %}
{%- set pairs = table(scratch_schema, 'rs_features_pairs') %}
{%- set dates = table(scratch_schema, 'rs_features_dates') %}
{%- set this_run = table(scratch_schema, 'rs_user_features_this_run') %}
{%- set snapshots = table(output_schema, 'rs_features_snapshots') %}
{%- set ts = quote('timestamp') %}
{%- set day_text = 'CAST(w.snapshot_date AS VARCHAR(10))' %}
{#- Two deletes, not one with OR: each can use the (timestamp, visitor) index, so a run that
    restates few pairs and drops no date reads little of these large tables. The dates dropped
    are a list (the snapshots recorded before the oldest retained date), not a comparison with
    that date: a bound a subquery computes is unknown when the plan is made, and PostgreSQL
    then scans the whole table even when nothing is older; an empty list is read first and
    ends the join at once. #}
{%- set dropped = 'SELECT CAST(s.snapshot_date AS TIMESTAMP) FROM ' ~ snapshots ~ ' AS s WHERE s.snapshot_date < '
                  ~ '(SELECT MIN(d.snapshot_date) FROM ' ~ dates ~ ' AS d)' %}
{%- for relation in [long, wide] %}
DELETE FROM {{ relation }}
WHERE {{ same_keys(relation, pairs, ['dbt_visitor_id', ts], ['k.visitor_id', 'CAST(k.snapshot_date AS TIMESTAMP)']) }};

DELETE FROM {{ relation }}
WHERE {{ ts }} IN ({{ dropped }});
{% endfor %}
{{ insert_by_name(wide, ['dbt_visitor_id', 'timestamp', 'row_id'] + rs_features(lookback_days, 'names').split(', '),
                  '(SELECT w.*, CAST(w.snapshot_date AS TIMESTAMP) AS ' ~ ts ~ ', w.dbt_visitor_id || \'|\' || '
                  ~ day_text ~ ' AS row_id FROM ' ~ this_run ~ ' AS w) AS w') }};

{{ insert_by_name(long, ['dbt_visitor_id', 'feature_name', 'timestamp', 'feature_value_numeric', 'feature_value_string',
                         'feature_value_array', 'feature_type', 'row_id'],
                  '(SELECT w.*, CAST(w.snapshot_date AS TIMESTAMP) AS ' ~ ts ~ ', w.dbt_visitor_id || \'|\' || '
                  ~ day_text ~ " || '|' || w.feature_name AS row_id FROM ("
                  ~ rs_features(lookback_days, 'long', this_run) ~ ') AS w) AS w',
                  order_by=['timestamp', 'dbt_visitor_id']) }};

DELETE FROM {{ snapshots }}
WHERE snapshot_date < (SELECT MIN(d.snapshot_date) FROM {{ dates }} AS d);

INSERT INTO {{ snapshots }} (snapshot_date)
SELECT d.snapshot_date FROM {{ dates }} AS d WHERE d.build = 1;
