-- Each pair written gives way to its new rows, wide and long (a pair without a row now, such as
-- a visitor moved away by a remap, only loses its rows); the dates built are recorded; the
-- snapshots before the retained dates are dropped. row_id: visitor | date [| feature].
{%- set long = table(output_schema, 'event_stream_feature_table') %}
{%- set wide = table(output_schema, 'event_stream_customer_features') %}
{%- set pairs = table(scratch_schema, 'rs_features_pairs') %}
{%- set dates = table(scratch_schema, 'rs_features_dates') %}
{%- set this_run = table(scratch_schema, 'rs_user_features_this_run') %}
{%- set snapshots = table(output_schema, 'rs_features_snapshots') %}
{%- set ts = quote('timestamp') %}
{%- set day_text = 'CAST(w.snapshot_date AS VARCHAR(10))' %}
{#- Two deletes, not one with OR: each can use the (timestamp, visitor) index, so a run that
    restates few pairs and drops no date reads little of these large tables. #}
{%- for relation in [long, wide] %}
{%- set target = relation.split('.')[-1] %}
DELETE FROM {{ relation }}
WHERE {{ same_keys(relation, pairs, ['dbt_visitor_id', ts], ['k.visitor_id', 'CAST(k.snapshot_date AS TIMESTAMP)']) }};

DELETE FROM {{ relation }}
WHERE {{ ts }} < (SELECT CAST(MIN(d.snapshot_date) AS TIMESTAMP) FROM {{ dates }} AS d);
{% endfor %}
{{ insert_by_name(wide, ['dbt_visitor_id', 'timestamp', 'row_id'] + rs_features(lookback_days, 'names').split(', '),
                  '(SELECT w.*, CAST(w.snapshot_date AS TIMESTAMP) AS ' ~ ts ~ ', w.dbt_visitor_id || \'|\' || '
                  ~ day_text ~ ' AS row_id FROM ' ~ this_run ~ ' AS w) AS w') }};

{{ insert_by_name(long, ['dbt_visitor_id', 'feature_name', 'timestamp', 'feature_value_numeric', 'feature_value_string',
                         'feature_value_array', 'feature_type', 'row_id'],
                  '(SELECT w.*, CAST(w.snapshot_date AS TIMESTAMP) AS ' ~ ts ~ ', w.dbt_visitor_id || \'|\' || '
                  ~ day_text ~ " || '|' || w.feature_name AS row_id FROM ("
                  ~ rs_features(lookback_days, 'long', this_run) ~ ') AS w) AS w') }};

DELETE FROM {{ snapshots }}
WHERE snapshot_date < (SELECT MIN(d.snapshot_date) FROM {{ dates }} AS d);

INSERT INTO {{ snapshots }} (snapshot_date)
SELECT d.snapshot_date FROM {{ dates }} AS d WHERE d.build = 1;
