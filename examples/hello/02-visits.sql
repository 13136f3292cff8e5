-- One visit per day for the last {{ days }} days, timestamps built with the dialect macros.
CREATE TABLE {{ example_schema }}.visits AS
SELECT
  n AS visit_id,
  {{ dateadd('day', '-n', current_ts()) }} AS visited_at
FROM {{ series('n', 1, days) }};
