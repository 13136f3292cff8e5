DROP TABLE IF EXISTS {{ table(output_schema, 'page_view_link_clicks') }};
