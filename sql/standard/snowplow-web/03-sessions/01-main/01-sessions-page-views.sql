-- The unconsumed page_views_staged batches, each session from the newest batch holding it.
{% call replace_table(table(scratch_schema, 'sessions_page_views')) -%}
SELECT pv.*
FROM {{ unconsumed('page_views_staged', 'pv', newest_per='domain_sessionid') }}
{%- endcall %};
