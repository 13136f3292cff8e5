-- In the transaction that commits the offsets: the registrations redone (a registration the
-- seed mode drops loses its row), and the rules applied.
{%- set regs = table(scratch_schema, 'growth_mart_registrations') %}
{{ delete_insert(table(output_schema, 'fact_registration_attribution'),
                 ['registration_sk', 'user_sk', 'user_id', 'registration_time', 'registration_month', 'channel_name',
                  'attributed_session_sk', 'attributed_medium', 'hours_to_convert', 'rule_id'],
                 table(scratch_schema, 'growth_mart_attribution_this_run') ~ ' AS a',
                 'registration_sk IN (SELECT registration_sk FROM ' ~ regs ~ ')') }};

{{ delete_insert(table(output_schema, 'growth_rules_applied'), ['rule_kind', 'channel_name', 'medium', 'window_hours', 'priority'],
                 table(scratch_schema, 'growth_mart_rules_this_run') ~ ' AS r', '1 = 1') }};
