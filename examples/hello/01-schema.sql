CREATE SCHEMA IF NOT EXISTS {{ example_schema }};
DROP TABLE IF EXISTS {{ example_schema }}.visits;
DROP TABLE IF EXISTS {{ example_schema }}.pages;
