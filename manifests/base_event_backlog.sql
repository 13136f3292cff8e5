-- Web model: events the base module has read but not processed yet, because a run processes
-- at most update_cadence_days of event time; later runs take them from here instead of
-- reading their loads again.
CREATE TABLE IF NOT EXISTS {{ table(output_schema, 'base_event_backlog') }} (
  event_id          VARCHAR(36)  NOT NULL,
  domain_sessionid  VARCHAR(128) NOT NULL,
  collector_tstamp  TIMESTAMP    NOT NULL,
  load_tstamp       TIMESTAMP    NOT NULL
){{ table_options(dist_key='domain_sessionid', sort_keys='collector_tstamp') }};
{{ create_index('base_event_backlog' ~ entropy ~ '_collector', table(output_schema, 'base_event_backlog'), 'collector_tstamp') }};
