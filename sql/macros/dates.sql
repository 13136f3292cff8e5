{#- Date and time arithmetic. Timestamps are naive UTC throughout the model, as in Snowplow's
    atomic events. `part` is one of second, minute, hour, day, week, month, year; weeks start
    on Monday everywhere (ISO, and Redshift's DATE_TRUNC('week')). -#}

{% macro default__dateadd(part, amount, ts) -%}
({{ ts }} + ({{ amount }}) * INTERVAL '1 {{ part }}')
{%- endmacro %}

{% macro redshift__dateadd(part, amount, ts) -%}
DATEADD({{ part }}, {{ amount }}, {{ ts }})
{%- endmacro %}

{#- The start of the `part` containing `ts`, as a TIMESTAMP. The cast matters on PostgreSQL:
    there DATE_TRUNC of a DATE resolves to the timestamptz version, in the session time zone. -#}
{% macro default__date_trunc(part, ts) -%}
DATE_TRUNC('{{ part }}', CAST({{ ts }} AS TIMESTAMP))
{%- endmacro %}

{#- datediff counts the `part` boundaries crossed between two timestamps, as Redshift's
    DATEDIFF does (23:00 -> 01:00 next day is 1 day). For exact elapsed time use
    seconds_between. Weeks are counted between Monday-truncated days on every warehouse:
    DuckDB's DATE_DIFF('week') counts whole 7-day spans instead (Sun -> Mon gives 0). -#}
{% macro default__datediff(part, start, stop) -%}
{%- if part == 'week' -%}
CAST(DATE_DIFF('day', DATE_TRUNC('week', CAST({{ start }} AS TIMESTAMP)), DATE_TRUNC('week', CAST({{ stop }} AS TIMESTAMP))) / 7 AS BIGINT)
{%- else -%}
DATE_DIFF('{{ part }}', {{ start }}, {{ stop }})
{%- endif -%}
{%- endmacro %}

{#- PostgreSQL has no DATEDIFF: truncate both ends to the part and count whole parts between. -#}
{% macro postgres__datediff(part, start, stop) -%}
{%- set a, b = 'CAST(' ~ start ~ ' AS TIMESTAMP)', 'CAST(' ~ stop ~ ' AS TIMESTAMP)' -%}
{%- if part in ('month', 'year') -%}
CAST((EXTRACT(YEAR FROM {{ b }}) - EXTRACT(YEAR FROM {{ a }})){% if part == 'month' %} * 12 + (EXTRACT(MONTH FROM {{ b }}) - EXTRACT(MONTH FROM {{ a }})){% endif %} AS BIGINT)
{%- else -%}
{%- set seconds = {'second': 1, 'minute': 60, 'hour': 3600, 'day': 86400, 'week': 604800}[part] -%}
CAST((EXTRACT(EPOCH FROM DATE_TRUNC('{{ part }}', {{ b }})) - EXTRACT(EPOCH FROM DATE_TRUNC('{{ part }}', {{ a }}))) / {{ seconds }} AS BIGINT)
{%- endif -%}
{%- endmacro %}

{#- Redshift's DATEDIFF counts boundaries; weeks go through DATE_TRUNC('week') (documented
    as Monday) rather than DATEDIFF(week), whose week start the docs leave unsaid. -#}
{% macro redshift__datediff(part, start, stop) -%}
{%- if part == 'week' -%}
(DATEDIFF(day, DATE_TRUNC('week', {{ start }}), DATE_TRUNC('week', {{ stop }})) / 7)
{%- else -%}
DATEDIFF({{ part }}, {{ start }}, {{ stop }})
{%- endif -%}
{%- endmacro %}

{#- Seconds since 1970-01-01 00:00:00, fractions kept. -#}
{% macro default__epoch_seconds(ts) -%}
EXTRACT(EPOCH FROM {{ ts }})
{%- endmacro %}

{% macro duckdb__epoch_seconds(ts) -%}
(EPOCH_US({{ ts }}) / 1000000.0)
{%- endmacro %}

{#- Redshift's EXTRACT(EPOCH FROM timestamp) returns an INTEGER: the fraction would be lost.
    https://docs.aws.amazon.com/redshift/latest/dg/r_EXTRACT_function.html -#}
{% macro redshift__epoch_seconds(ts) -%}
(DATEDIFF(microsecond, TIMESTAMP '1970-01-01 00:00:00', {{ ts }}) / 1000000.0)
{%- endmacro %}

{#- A naive UTC timestamp from seconds since the epoch (fractions kept). -#}
{% macro default__timestamp_from_epoch(seconds) -%}
(TIMESTAMP '1970-01-01 00:00:00' + ({{ seconds }}) * INTERVAL '1 second')
{%- endmacro %}

{#- Exact elapsed seconds between two timestamps (fractional), never boundary counting. -#}
{% macro default__seconds_between(start, stop) -%}
(EXTRACT(EPOCH FROM {{ stop }}) - EXTRACT(EPOCH FROM {{ start }}))
{%- endmacro %}

{#- DuckDB's epoch_seconds is a DOUBLE, ~1e-7 s coarse at today's epoch: subtract integer
    microseconds first so 1.000001 s stays 1.000001. -#}
{% macro duckdb__seconds_between(start, stop) -%}
((EPOCH_US({{ stop }}) - EPOCH_US({{ start }})) / 1000000.0)
{%- endmacro %}

{% macro redshift__seconds_between(start, stop) -%}
(DATEDIFF(microsecond, {{ start }}, {{ stop }}) / 1000000.0)
{%- endmacro %}

{#- The current time as a naive UTC timestamp, fixed for the transaction (as CURRENT_TIMESTAMP
    is on PostgreSQL and DuckDB). -#}
{% macro default__current_ts() -%}
CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TIMESTAMP)
{%- endmacro %}

{#- Redshift: CURRENT_TIMESTAMP is a deprecated leader-node-only function; SYSDATE is the
    transaction start with microseconds (GETDATE is the statement start, whole seconds). Both
    are in the session time zone, which Sluice leaves at Redshift's default, UTC. -#}
{% macro redshift__current_ts() -%}
SYSDATE
{%- endmacro %}

{#- A day as a DATE, from a timestamp. -#}
{% macro default__to_date(ts) -%}
CAST({{ ts }} AS DATE)
{%- endmacro %}

{#- The calendar day of a naive UTC timestamp in time zone `tz` (an IANA name, checked before
    it gets here), as a DATE; UTC needs no conversion. -#}
{% macro default__local_date(ts, tz) -%}
{%- if tz == 'UTC' -%}
CAST({{ ts }} AS DATE)
{%- else -%}
CAST(CAST(({{ ts }} AT TIME ZONE 'UTC') AT TIME ZONE '{{ tz }}' AS TIMESTAMP) AS DATE)
{%- endif -%}
{%- endmacro %}

{#- Redshift: AT TIME ZONE on a plain TIMESTAMP is documented for TIMESTAMPTZ conversions
    only; CONVERT_TIMEZONE is the documented way.
    https://docs.aws.amazon.com/redshift/latest/dg/CONVERT_TIMEZONE.html -#}
{% macro redshift__local_date(ts, tz) -%}
{%- if tz == 'UTC' -%}
CAST({{ ts }} AS DATE)
{%- else -%}
CAST(CONVERT_TIMEZONE('UTC', '{{ tz }}', {{ ts }}) AS DATE)
{%- endif -%}
{%- endmacro %}
