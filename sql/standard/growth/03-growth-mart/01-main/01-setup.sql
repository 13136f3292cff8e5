{%- if attribution_mode not in ('rules', 'seed') -%}
{{ fail("attribution_mode must be 'rules' or 'seed', not '" ~ attribution_mode ~ "'") }}
{%- endif -%}
-- The rule table the user edits (one row per class and medium), filled with
-- default_attribution_rules when it is created or empty.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'attribution_rules') }} (
  channel_name  {{ column_type('string') }} NOT NULL,
  medium        {{ column_type('string') }} NOT NULL,
  window_hours  DECIMAL(12, 4) NOT NULL,
  priority      INTEGER NOT NULL
){{ table_options(dist_key='all') }};

INSERT INTO {{ table(output_schema, 'attribution_rules') }} (channel_name, medium, window_hours, priority)
SELECT d.channel_name, d.medium, d.window_hours, d.priority
FROM (
{%- for rule in default_attribution_rules %}
  {{ 'UNION ALL ' if not loop.first }}SELECT CAST({{ string_literals([rule.channel_name]) }} AS {{ column_type('string') }}) AS channel_name,
         CAST({{ string_literals([rule.medium]) }} AS {{ column_type('string') }}) AS medium,
         CAST({{ number(rule.window_hours) }} AS DECIMAL(12, 4)) AS window_hours, {{ number(rule.priority) }} AS priority
{%- endfor %}
) AS d
WHERE NOT EXISTS (SELECT 1 FROM {{ table(output_schema, 'attribution_rules') }});

-- The rules the last run applied (to notice an edit), and the outputs.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'growth_rules_applied') }} (
  rule_kind     VARCHAR(16) NOT NULL,
  channel_name  {{ column_type('string') }},
  medium        {{ column_type('string') }},
  window_hours  DECIMAL(12, 4),
  priority      INTEGER
){{ table_options(dist_key='all') }};

CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'fact_registration_attribution') }} (
  registration_sk        VARCHAR(32) NOT NULL,
  user_sk                VARCHAR(32) NOT NULL,
  user_id                BIGINT NOT NULL,
  registration_time      TIMESTAMP NOT NULL,
  registration_month     DATE NOT NULL,
  channel_name           {{ column_type('string') }} NOT NULL,
  attributed_session_sk  VARCHAR(32),
  attributed_medium      {{ column_type('string') }},
  hours_to_convert       DECIMAL(18, 6),
  rule_id                VARCHAR(32) NOT NULL
){{ table_options(dist_key='user_id', sort_keys=['registration_month']) }};
{{ create_index('fact_registration_attribution' ~ entropy ~ '_sk', table(output_schema, 'fact_registration_attribution'),
                'registration_sk') }};
{{ create_index('fact_registration_attribution' ~ entropy ~ '_month',
                table(output_schema, 'fact_registration_attribution'), 'registration_month') }};

CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'mart_channel_attribution') }} (
  registration_month    DATE NOT NULL,
  channel_name          {{ column_type('string') }} NOT NULL,
  registrations         BIGINT NOT NULL,
  avg_hours_to_convert  DECIMAL(18, 6),
  share_of_month        DOUBLE PRECISION NOT NULL
){{ table_options(dist_key='all', sort_keys=['registration_month']) }};
