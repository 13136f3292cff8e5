-- Users with changed sessions; a user's start is the earlier of the manifest's and the new.
{% call replace_table(table(scratch_schema, 'users_to_update')) -%}
WITH staged AS (
  SELECT domain_userid, MIN(start_tstamp) AS start_tstamp
  FROM {{ unconsumed('sessions_userid_manifest_staged', 'u') }}
  GROUP BY domain_userid
)
SELECT s.domain_userid,
       LEAST(COALESCE(m.start_tstamp, s.start_tstamp), s.start_tstamp) AS start_tstamp
FROM staged AS s
LEFT JOIN {{ table(output_schema, 'users_manifest') }} AS m ON m.domain_userid = s.domain_userid
{%- endcall %};
