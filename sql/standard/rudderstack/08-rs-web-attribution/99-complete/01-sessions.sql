-- The page views read now replace their stored copies; every device looked at again gets its
-- page views' sessions and its sessions from its restart point anew, and its stitching; every
-- renumbered user its sessions (see module.yml: this and every write below commit with the
-- offsets, or not at all).
{%- set pages_in = table(scratch_schema, 'web_attr_pages_in') %}
{%- set devices = table(scratch_schema, 'web_attr_devices') %}
{%- set page_views = table(output_schema, 'web_page_views') %}
{%- set sessionized = table(output_schema, 'web_page_views__sessionized') %}
{%- set initial = table(output_schema, 'web_sessions__initial') %}
{%- set stitching = table(output_schema, 'web_user_stitching') %}
{%- set sessions = table(output_schema, 'web_sessions') %}
{%- set page_view_names = rs_web_fields('page_view', 'names', pass_through=pass_through_columns) | replace('"', '') %}
{%- set session_names = rs_web_fields('session', 'names', pass_through=pass_through_columns) | replace('"', '') %}
{%- set of_devices = 'anonymous_id IN (SELECT d.anonymous_id FROM ' ~ devices ~ ' AS d)' %}
{{ delete_insert(page_views, page_view_names.split(', '), '(SELECT * FROM ' ~ pages_in ~ ' WHERE NOT removed) AS i',
                 same_keys(page_views, pages_in, ['page_view_id'])) }};

{{ delete_insert(sessionized, page_view_names.split(', ') + ['page_view_number', 'session_number', 'session_id'],
                 table(scratch_schema, 'web_attr_page_views_this_run') ~ ' AS p',
                 rs_from_restart(sessionized, devices, 'tstamp', key='anonymous_id')) }};

{{ delete_insert(initial, session_names.split(', '), table(scratch_schema, 'web_attr_sessions') ~ ' AS s',
                 rs_from_restart(initial, devices, 'session_start_tstamp', key='anonymous_id')) }};

{{ delete_insert(stitching, ['anonymous_id', 'user_id', 'first_seen_at', 'last_seen_at'],
                 table(scratch_schema, 'web_attr_stitching') ~ ' AS u', of_devices) }};

{{ delete_insert(sessions, session_names.split(', ') + ['blended_user_id', 'session_number'],
                 table(scratch_schema, 'web_attr_numbered') ~ ' AS n',
                 'blended_user_id IN (SELECT u.blended_user_id FROM ' ~ table(scratch_schema, 'web_attr_users') ~ ' AS u)') }};
