-- Everything but referrer_mapping, which may hold the user's own rows (drop it by hand to get
-- the shipped ones back).
DROP VIEW IF EXISTS {{ table(output_schema, 'web_sessions__stitched') }};
{%- for name in ['web_page_views', 'web_page_views__sessionized', 'web_sessions__initial', 'web_user_stitching',
                 'web_sessions', 'web_conversions', 'web_attribution_touches', 'web_attribution_by_channel'] %}
DROP TABLE IF EXISTS {{ table(output_schema, name) }};
{%- endfor %}
