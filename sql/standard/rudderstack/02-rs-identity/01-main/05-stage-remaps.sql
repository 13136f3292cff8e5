-- Every alias whose visitor changes (an alias without a mapping is its own visitor), against
-- the mapping as complete last wrote it; affected from the earliest time it was seen, before
-- or after.
INSERT INTO {{ table(scratch_schema, 'rs_remaps_staged') }} (batch_id, alias, old_visitor_id, new_visitor_id, affected_from)
SELECT {{ batch_id }}, a.alias, COALESCE(o.dbt_visitor_id, a.alias), COALESCE(n.dbt_visitor_id, a.alias),
       CASE WHEN o.first_seen_at IS NULL OR n.first_seen_at < o.first_seen_at THEN n.first_seen_at
            ELSE o.first_seen_at END
FROM {{ table(scratch_schema, 'rs_identity_aliases') }} AS a
LEFT JOIN {{ table(output_schema, 'dbt_aliases_mapping') }} AS o ON o.alias = a.alias
LEFT JOIN {{ table(scratch_schema, 'rs_identity_mapping_this_run') }} AS n ON n.alias = a.alias
WHERE COALESCE(o.dbt_visitor_id, a.alias) <> COALESCE(n.dbt_visitor_id, a.alias);
