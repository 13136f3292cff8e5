-- Each updated user's first session start, for the next run's look-back.
DELETE FROM {{ table(output_schema, 'users_manifest') }}
WHERE domain_userid IN (SELECT domain_userid FROM {{ table(scratch_schema, 'users_this_run') }});

INSERT INTO {{ table(output_schema, 'users_manifest') }} (domain_userid, start_tstamp)
SELECT domain_userid, start_tstamp FROM {{ table(scratch_schema, 'users_this_run') }};
