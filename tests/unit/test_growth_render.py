"""Every statement of every growth module, and of its loader, renders on every dialect and
parses with sqlglot (the Redshift check stands in for a live cluster): with the raw tables
absent (as `sluice check` sees them) and present, in each attribution mode."""

from __future__ import annotations

import pytest
import sqlglot
import yaml

from sluice.config import load_project
from sluice.events.growth.load import STAGING
from sluice.events.growth.schema import SESSIONS
from sluice.families import project_renderer
from sluice.lifecycle.context import module_variables, run_names
from sluice.lifecycle.modules import discover
from sluice.render.renderer import Renderer
from sluice.resources import input_ddl
from sluice.sqlrunner.executor import render_steps
from sluice.sqlrunner.playbook import load_playbook
from sluice.targets import DIALECTS
from sluice.targets.base import split_statements

FAMILY = ("growth_staging", "growth_dwh", "growth_mart")
FEATURES = [{}, {"attribution_mode": "seed", "entropy": "_copy2", "growth_raw_schema": "landing",
                 "direct_mediums": ["DIRECT", "TYPE-IN"]}]
RAW_COLUMNS = ["user_id", "time_started", "is_paid", "medium", "registration_time", "load_batch_id", "row_hash"]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("growth")
    (root / "sluice.yml").write_text(yaml.safe_dump({"models": ["growth"]}))
    return load_project(root)


def rendered_statements(project, dialect: str, features: dict, columns=None):
    renderer = project_renderer(project, dialect)
    for module in discover(project).values():
        for path in (module.main, module.complete, module.destroy, module.backfill):
            if path is None:
                continue
            book = load_playbook(path, {}, Renderer(None), project_root=project.root)
            variables = module_variables(project, module, book, features, dialect)
            for staged in (module.staged if path == module.backfill else ("",)):
                names = run_names(module, "r", 7, {t: (3, 7) for t in module.staged_inputs}, variables, columns)
                values = {**variables, **names, "backfill_since": "2024-01-01", "backfill_consumer": "c",
                          "backfill_table": staged, "schema_variable": "growth_raw_schema",
                          "fresh_table": "growth_loads", "time_column": "loaded_tstamp",
                          "counted_table": "growth_staging_sessions_new"}
                for step in render_steps(book.steps, renderer, values):
                    for rq in step:
                        for statement in split_statements(rq.sql, dialect):
                            yield f"{module.name} {path.name} {rq.query.name}", statement


def test_the_family_modules_are_there(project):
    assert set(discover(project)) == set(FAMILY)


@pytest.mark.parametrize("tables", ["absent", "present"])
@pytest.mark.parametrize("features", FEATURES, ids=["defaults", "seed-mode"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_parses(project, dialect, features, tables):
    count = 0
    for where, statement in rendered_statements(project, dialect, features,
                                                (lambda relation: RAW_COLUMNS) if tables == "present" else None):
        parsed = sqlglot.parse_one(statement, read=dialect)
        assert not isinstance(parsed, sqlglot.exp.Command), f"{where}: sqlglot could not parse:\n{statement}"
        count += 1
    assert count > 50


def test_absent_raw_tables_read_as_no_rows_and_present_ones_by_load_batch(project):
    absent = [s for w, s in rendered_statements(project, "postgres", {}) if "new-rows" in w]
    present = [s for w, s in rendered_statements(project, "postgres", {}, lambda relation: RAW_COLUMNS)
               if "new-rows" in w]
    assert not any("FROM raw.sessions" in s for s in absent)
    assert any("FROM raw.sessions AS r" in s and "r.load_batch_id > l.after_batch" in s for s in present)


def test_redshift_tables_carry_distribution_and_sort_keys(project):
    ddl = [s for _, s in rendered_statements(project, "redshift", {}) if "CREATE TABLE IF NOT EXISTS" in s]
    assert len(ddl) >= 12 and all("DISTKEY" in s or "DISTSTYLE ALL" in s for s in ddl), ddl


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_loaders_statements_parse(project, dialect):
    renderer = Renderer(dialect, [])
    values = {"growth_raw_schema": "raw", "entropy": ""}
    schema = renderer.render(input_ddl("growth/01-schema.sql").read_text(), values, "schema")
    statements = split_statements(schema, dialect)
    if dialect in STAGING:   # the chunks go through text staging on these warehouses only
        rules = STAGING[dialect].values
        typed = [(n, rules.cast(rules.text(f"s.c{i}"), kind)) for i, (n, kind) in enumerate(SESSIONS.columns, 1)]
        good = " AND ".join(rules.fits(rules.text(f"s.c{i}"), kind) for i, (_, kind) in enumerate(SESSIONS.columns, 1))
        statements.append(renderer.render(input_ddl("growth/02-insert.sql").read_text(),
                                          {**values, "relation": "raw.sessions", "stage": "stage", "typed": typed,
                                           "good": good, "load_batch_id": 3}, "insert"))
    for statement in statements:
        assert not isinstance(sqlglot.parse_one(statement, read=dialect), sqlglot.exp.Command), statement
    # the schema and its three tables; two indexes per data table where the warehouse needs
    # them (PostgreSQL: elsewhere create_index leaves a comment, which is no statement); the insert
    indexes = 4 if dialect == "postgres" else 0
    assert len(statements) == 4 + indexes + (1 if dialect in STAGING else 0)
