-- The unconsumed batches (each id from the newest batch holding it): the page views in the
-- module's shape, the orders as conversions before their user, the remapped aliases. A staged
-- table its producer has not created yet has no batch to read (a batch is committed only after
-- its table exists, and the batches this run reads were fixed before this file was rendered).
-- `removed`: the id's kept copy is excluded, or a page view without an anonymous id (it has no
-- device to be sessionized on); what was built from an earlier copy goes.
--
-- pass_through_columns are not staged (rs_events_staged has fixed columns): they are read from
-- the raw pages row of the copy rs_base kept, the one every other column of the page view comes
-- from (same id, load time, receive time and event time; should one load hold two such rows, the
-- one first by the values), so a later copy rs_base does not keep changes nothing, as in a full
-- run. Only rows loaded within the load times of this run's page views are read (uuid_ts is
-- indexed by rs_base). A column pages does not have (yet) is NULL.
{%- set string = column_type('string') %}
{%- set raw_pages = table(rs_schema, 'pages') %}
{%- set raw_columns = columns(raw_pages) %}
{%- set found = pass_through_columns | select('in', raw_columns) | list %}
{%- set read_raw = found and 'id' in raw_columns and 'uuid_ts' in raw_columns and 'timestamp' in raw_columns %}
{%- macro passed_through(from_raw) -%}
{%- for c in pass_through_columns %}, {{ 'x.' ~ quote(c) if from_raw and c in found else 'CAST(NULL AS ' ~ rs_type('text') ~ ')' }} AS {{ quote(c) }}{% endfor -%}
{%- endmacro %}
{%- set tie_order %}{% for c in found %}{{ quote(c) }} NULLS LAST{{ ', ' if not loop.last }}{% endfor %}{% endset %}
{% call replace_table(table(scratch_schema, 'web_attr_pages_in')) -%}
{%- set staged_events = unconsumed('rs_events_staged', 'e', newest_per='event_id', if_created=true) %}
{%- if staged_events %}
WITH staged AS (
  SELECT e.* FROM {{ staged_events }} WHERE e.event_type = 'page'
)
{%- if read_raw %},
kept_copies AS (
  SELECT r.id AS page_view_id{% for c in found %}, CAST(r.{{ quote(c) }} AS {{ rs_type('text') }}) AS {{ quote(c) }}{% endfor %}
  FROM {{ raw_pages }} AS r
  JOIN staged AS s
    ON s.event_id = r.id AND s.loaded_tstamp = CAST(r.uuid_ts AS TIMESTAMP)
   AND COALESCE(s.received_tstamp, s.loaded_tstamp)
       = COALESCE({{ rs_column(raw_columns, 'received_at', 'datetime') }}, CAST(r.uuid_ts AS TIMESTAMP))
   AND s.event_tstamp = {{ rs_column(raw_columns, 'timestamp', 'datetime') }}
  WHERE r.uuid_ts >= (SELECT MIN(b.loaded_tstamp) FROM staged AS b)
    AND r.uuid_ts <= (SELECT MAX(b.loaded_tstamp) FROM staged AS b)
)
{%- endif %}
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
         (e.excluded OR e.anonymous_id IS NULL OR e.event_tstamp IS NULL) AS removed{{ passed_through(read_raw) }}
  FROM staged AS e
{%- if read_raw %}
  LEFT JOIN {{ first_per('kept_copies', 'page_view_id', tie_order) }} AS x
    ON x.page_view_id = e.event_id
{%- endif %}
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
       FALSE AS removed{{ passed_through(false) }}
WHERE 1 = 0
{%- endif %}
{%- endcall %};

{% call replace_table(table(scratch_schema, 'web_attr_orders_in')) -%}
{%- set staged_orders = unconsumed('rs_orders_staged', 'o', newest_per='event_id', if_created=true) %}
{%- if staged_orders %}
SELECT o.event_id AS conversion_id, o.order_id, o.anonymous_id, o.user_id, o.event_tstamp AS converted_at,
       COALESCE({% for c in conversion_amount %}o.{{ quote(c) }}{{ ', ' if not loop.last }}{% endfor %}) AS amount,
       o.currency,
       (o.excluded OR o.event_tstamp IS NULL OR (o.anonymous_id IS NULL AND o.user_id IS NULL)) AS removed
FROM {{ staged_orders }}
{%- else %}
SELECT CAST(NULL AS {{ string }}) AS conversion_id, CAST(NULL AS {{ string }}) AS order_id,
       CAST(NULL AS {{ string }}) AS anonymous_id, CAST(NULL AS {{ string }}) AS user_id,
       CAST(NULL AS TIMESTAMP) AS converted_at, CAST(NULL AS DOUBLE PRECISION) AS amount,
       CAST(NULL AS {{ string }}) AS currency, FALSE AS removed
WHERE 1 = 0
{%- endif %}
{%- endcall %};

{% call replace_table(table(scratch_schema, 'web_attr_remapped')) -%}
{{ rs_remapped_aliases(unconsumed('rs_remaps_staged', if_created=true)) }}
{%- endcall %};
