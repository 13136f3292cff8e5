-- The devices (anonymous ids) re-derived whole: those of the page views read now, the one a
-- replaced or removed page view had, and every remapped alias that is a device. Then the
-- mapping of every id this run resolves, read once, so the whole run sees one state of it.
{%- set pages_in = table(scratch_schema, 'web_attr_pages_in') %}
{%- set orders_in = table(scratch_schema, 'web_attr_orders_in') %}
{%- set remapped = table(scratch_schema, 'web_attr_remapped') %}
{%- set devices = table(scratch_schema, 'web_attr_devices') %}
{%- set page_views = table(output_schema, 'web_page_views') %}
{%- set aliases_mapping = table(output_schema, 'dbt_aliases_mapping') %}
{% call replace_table(devices) -%}
SELECT i.anonymous_id FROM {{ pages_in }} AS i WHERE i.anonymous_id IS NOT NULL
UNION
SELECT p.anonymous_id FROM {{ page_views }} AS p WHERE p.page_view_id IN (SELECT i.page_view_id FROM {{ pages_in }} AS i)
UNION
SELECT p.anonymous_id FROM {{ page_views }} AS p WHERE p.anonymous_id IN (SELECT r.alias FROM {{ remapped }} AS r)
{%- endcall %};

{% call replace_table(table(scratch_schema, 'web_attr_mapping')) -%}
{%- if columns(aliases_mapping) %}
SELECT a.alias, a.dbt_visitor_id
FROM {{ aliases_mapping }} AS a
WHERE a.alias IN (SELECT anonymous_id FROM {{ devices }}
                  UNION SELECT anonymous_id FROM {{ orders_in }}
                  UNION SELECT user_id FROM {{ orders_in }}
                  UNION SELECT alias FROM {{ remapped }})
{%- else %}
-- rs_identity has not run yet: every id is its own user until its remaps arrive.
SELECT CAST(NULL AS {{ column_type('string') }}) AS alias, CAST(NULL AS {{ column_type('string') }}) AS dbt_visitor_id
WHERE 1 = 0
{%- endif %}
{%- endcall %};
