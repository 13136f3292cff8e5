-- The unconsumed batches (each id from the newest batch holding it): the page views in the
-- module's shape, the orders as conversions before their user, the remapped aliases. A staged
-- table its producer has not created yet has no batch to read (a batch is committed only after
-- its table exists, and the batches this run reads were fixed before this file was rendered).
-- `removed`: the id's kept copy is excluded, or a page view without an anonymous id (it has no
-- device to be sessionized on); what was built from an earlier copy goes.
{%- set string = column_type('string') %}
{% call replace_table(table(scratch_schema, 'web_attr_pages_in')) -%}
{%- if columns(table(scratch_schema, 'rs_events_staged')) %}
SELECT v.*,
       CASE WHEN v.device = 'iPhone' THEN 'iPhone' WHEN v.device = 'Android' THEN 'Android'
            WHEN v.device IN ('iPad', 'iPod') THEN 'Tablet' WHEN v.device IN ('Windows', 'Macintosh', 'X11') THEN 'Desktop'
            ELSE 'Uncategorized' END AS device_category
FROM (
  SELECT e.event_id AS page_view_id, e.anonymous_id, e.user_id, e.received_tstamp AS received_at_tstamp,
         e.sent_tstamp AS sent_at_tstamp, e.event_tstamp AS tstamp,
         e.page_url, {{ rs_url_host('e.page_url') }} AS page_url_host, e.page_path AS page_url_path, e.page_title,
         e.page_search AS page_url_query, e.page_referrer AS referrer,
         {{ regex_replace(rs_url_host('e.page_referrer'), "'^www[.]'", "''") }} AS referrer_host,
         e.campaign_source AS utm_source, e.campaign_medium AS utm_medium, e.campaign_name AS utm_campaign,
         e.campaign_term AS utm_term, e.campaign_content AS utm_content,
         NULLIF(SPLIT_PART(SPLIT_PART(SPLIT_PART(e.page_url, 'gclid=', 2), '&', 1), '#', 1), '') AS gclid,
         e.ip, e.user_agent,
         -- Android when the user agent says so, else the first word in its parentheses
         CASE WHEN LOWER(e.user_agent) LIKE '%android%' THEN 'Android'
              ELSE NULLIF(REPLACE(SPLIT_PART(SPLIT_PART(e.user_agent, '(', 2), ' ', 1), ';', ''), '') END AS device,
         (e.excluded OR e.anonymous_id IS NULL OR e.event_tstamp IS NULL) AS removed
  FROM {{ unconsumed('rs_events_staged', 'e', newest_per='event_id') }}
  WHERE e.event_type = 'page'
) AS v
{%- else %}
SELECT {% for c in ['page_view_id', 'anonymous_id', 'user_id'] %}CAST(NULL AS {{ string }}) AS {{ c }}, {% endfor %}
       CAST(NULL AS TIMESTAMP) AS received_at_tstamp, CAST(NULL AS TIMESTAMP) AS sent_at_tstamp,
       CAST(NULL AS TIMESTAMP) AS tstamp,
       {%- for c in ['page_url', 'page_url_host', 'page_url_path', 'page_title', 'page_url_query', 'referrer',
                     'referrer_host', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'gclid',
                     'ip', 'user_agent', 'device', 'device_category'] %}
       CAST(NULL AS {{ string }}) AS {{ c }},
       {%- endfor %}
       FALSE AS removed
WHERE 1 = 0
{%- endif %}
{%- endcall %};

{% call replace_table(table(scratch_schema, 'web_attr_orders_in')) -%}
{%- if columns(table(scratch_schema, 'rs_orders_staged')) %}
SELECT o.event_id AS conversion_id, o.order_id, o.anonymous_id, o.user_id, o.event_tstamp AS converted_at,
       COALESCE({% for c in conversion_amount %}o.{{ quote(c) }}{{ ', ' if not loop.last }}{% endfor %}) AS amount,
       o.currency,
       (o.excluded OR o.event_tstamp IS NULL OR (o.anonymous_id IS NULL AND o.user_id IS NULL)) AS removed
FROM {{ unconsumed('rs_orders_staged', 'o', newest_per='event_id') }}
{%- else %}
SELECT CAST(NULL AS {{ string }}) AS conversion_id, CAST(NULL AS {{ string }}) AS order_id,
       CAST(NULL AS {{ string }}) AS anonymous_id, CAST(NULL AS {{ string }}) AS user_id,
       CAST(NULL AS TIMESTAMP) AS converted_at, CAST(NULL AS DOUBLE PRECISION) AS amount,
       CAST(NULL AS {{ string }}) AS currency, FALSE AS removed
WHERE 1 = 0
{%- endif %}
{%- endcall %};

{% call replace_table(table(scratch_schema, 'web_attr_remapped')) -%}
{%- if columns(table(scratch_schema, 'rs_remaps_staged')) %}
SELECT DISTINCT r.alias FROM {{ unconsumed('rs_remaps_staged', 'r') }}
{%- else %}
SELECT CAST(NULL AS {{ string }}) AS alias WHERE 1 = 0
{%- endif %}
{%- endcall %};
