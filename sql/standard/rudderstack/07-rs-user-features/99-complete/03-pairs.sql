-- The (visitor, snapshot) pairs this run writes: every visitor with data up to a date this run
-- builds; with feature_restate: all, each changed visitor in every built snapshot from its
-- earliest changed date (late data, a remap, a rewritten session); whatever feature_restate
-- says, a changed visitor left with no data at all (moved away by a remap), in every built
-- snapshot, to lose its rows there. A pair whose visitor has no data up to its date is only
-- deleted.
{%- set daily = table(output_schema, 'rs_user_daily') %}
{%- set changed = table(scratch_schema, 'rs_features_changed') %}
{%- set dates = table(scratch_schema, 'rs_features_dates') %}
{% call replace_table(table(scratch_schema, 'rs_features_pairs')) -%}
SELECT u.visitor_id, d.snapshot_date
FROM (SELECT visitor_id, MIN(event_date) AS first_date FROM {{ daily }} GROUP BY visitor_id) AS u
JOIN {{ dates }} AS d ON d.build = 1 AND u.first_date <= d.snapshot_date
UNION
{%- if feature_restate == 'all' %}
SELECT c.visitor_id, d.snapshot_date
FROM {{ changed }} AS c
JOIN {{ dates }} AS d ON d.is_new = 0 AND d.snapshot_date >= c.changed_from
{%- else %}
SELECT c.visitor_id, d.snapshot_date
FROM {{ changed }} AS c
JOIN {{ dates }} AS d ON d.is_new = 0
WHERE NOT EXISTS (SELECT 1 FROM {{ daily }} AS u WHERE u.visitor_id = c.visitor_id)
{%- endif %}
{%- endcall %};
