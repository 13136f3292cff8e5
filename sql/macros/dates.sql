{#- Date and time arithmetic. Timestamps are naive UTC throughout the model, as in Snowplow's
    atomic events. `part` is one of second, minute, hour, day, week, month, year. -#}

{% macro default__dateadd(part, amount, ts) -%}
({{ ts }} + ({{ amount }}) * INTERVAL '1 {{ part }}')
{%- endmacro %}

{% macro redshift__dateadd(part, amount, ts) -%}
DATEADD({{ part }}, {{ amount }}, {{ ts }})
{%- endmacro %}

{#- datediff counts the `part` boundaries crossed between two timestamps, as Redshift's
    DATEDIFF does (23:00 -> 01:00 next day is 1 day). For exact elapsed time use
    seconds_between. -#}
{% macro default__datediff(part, start, stop) -%}
DATE_DIFF('{{ part }}', {{ start }}, {{ stop }})
{%- endmacro %}

{% macro postgres__datediff(part, start, stop) -%}
{%- if part in ('month', 'year') -%}
CAST((EXTRACT(YEAR FROM {{ stop }}) - EXTRACT(YEAR FROM {{ start }})){% if part == 'month' %} * 12 + (EXTRACT(MONTH FROM {{ stop }}) - EXTRACT(MONTH FROM {{ start }})){% endif %} AS BIGINT)
{%- else -%}
{%- set seconds = {'second': 1, 'minute': 60, 'hour': 3600, 'day': 86400, 'week': 604800}[part] -%}
CAST(FLOOR((EXTRACT(EPOCH FROM DATE_TRUNC('{{ part }}', {{ stop }})) - EXTRACT(EPOCH FROM DATE_TRUNC('{{ part }}', {{ start }}))) / {{ seconds }}) AS BIGINT)
{%- endif -%}
{%- endmacro %}

{% macro redshift__datediff(part, start, stop) -%}
DATEDIFF({{ part }}, {{ start }}, {{ stop }})
{%- endmacro %}

{#- Seconds since 1970-01-01 00:00:00, fractions kept. -#}
{% macro default__epoch_seconds(ts) -%}
EXTRACT(EPOCH FROM {{ ts }})
{%- endmacro %}

{% macro duckdb__epoch_seconds(ts) -%}
(EPOCH_US({{ ts }}) / 1000000.0)
{%- endmacro %}

{#- Exact elapsed seconds between two timestamps (fractional), never boundary counting. -#}
{% macro default__seconds_between(start, stop) -%}
({{ epoch_seconds(stop) }} - {{ epoch_seconds(start) }})
{%- endmacro %}

{% macro redshift__seconds_between(start, stop) -%}
(DATEDIFF(microsecond, {{ start }}, {{ stop }}) / 1000000.0)
{%- endmacro %}

{#- The current time as a naive UTC timestamp. -#}
{% macro default__current_ts() -%}
CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TIMESTAMP)
{%- endmacro %}

{% macro redshift__current_ts() -%}
GETDATE()
{%- endmacro %}

{#- A day as a DATE, from a timestamp. -#}
{% macro default__to_date(ts) -%}
CAST({{ ts }} AS DATE)
{%- endmacro %}
