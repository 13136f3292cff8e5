-- Each visitor whose sessions changed since this module's last run, from its earliest restart.
{% call replace_table(table(scratch_schema, 'rs_journeys_changes')) -%}
{{ rs_session_restarts(unconsumed('rs_session_changes_staged', if_created=true), key='dbt_visitor_id') }}
{%- endcall %};
