{#- Table attributes placed after a CREATE TABLE's column list, or before a CTAS's AS.
    Only Redshift has them: distribution (`dist_key`, or 'all'/'even') and sort keys. -#}
{% macro default__table_options(dist_key=none, sort_keys=none) -%}
{%- endmacro %}

{% macro redshift__table_options(dist_key=none, sort_keys=none) -%}
{%- if dist_key in ('all', 'even') %} DISTSTYLE {{ dist_key | upper }}
{%- elif dist_key %} DISTSTYLE KEY DISTKEY ({{ dist_key }})
{%- endif %}
{%- if sort_keys %} COMPOUND SORTKEY ({{ sort_keys if sort_keys is string else sort_keys | join(', ') }})
{%- endif %}
{%- endmacro %}

{#- A series of integers start..stop (inclusive) as a FROM item with one column `alias`.
    On Redshift generate_series runs on the leader node only: fine for constants, not for
    joining to tables. -#}
{% macro default__series(alias, start, stop) -%}
GENERATE_SERIES({{ start }}, {{ stop }}) AS series({{ alias }})
{%- endmacro %}
