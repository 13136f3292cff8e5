-- A consumer that starts now maps every event it reads through dbt_aliases_mapping as it
-- stands: no past remap concerns it, so its backfill batch is empty (and dropped).
SELECT 'rs_identity: nothing to re-stage for {{ backfill_consumer }}' AS note;
