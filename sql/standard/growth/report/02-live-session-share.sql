-- The share of each month's registrations credited to a rule's live session.
SELECT registration_month,
       SUM(CASE WHEN channel_name NOT IN ('DIRECT', 'OTHERS', 'UNATTRIBUTED') THEN share_of_month ELSE 0 END)
         AS live_session_share
FROM {{ table(output_schema, 'mart_channel_attribution') }}
GROUP BY registration_month
ORDER BY registration_month
