"""Every statement of every standard module renders on every dialect and parses with sqlglot
(the Redshift check stands in for a live cluster), with each optional feature on and off."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot

from sluice.config import load_project
from sluice.families import project_renderer
from sluice.lifecycle.context import module_variables, run_names
from sluice.lifecycle.modules import discover
from sluice.render.renderer import Renderer
from sluice.sqlrunner.executor import render_steps
from sluice.sqlrunner.playbook import load_playbook
from sluice.targets import DIALECTS
from sluice.targets.base import split_statements

REPO = Path(__file__).resolve().parents[2]
PROJECT = load_project(REPO)
MODULES = discover(PROJECT)
FEATURES = [
    {},
    {"enable_iab": True, "enable_ua_parser": True, "enable_yauaa": True, "duplicates": "keep_first",
     "ua_bot_filter": False, "app_ids": ["site", "o'shop"], "lookback_loads": 0},
    {"skip_derived": True, "stage_next": False, "entropy": "_copy2"},
]


def no_outputs_yet(relation: str) -> list[str]:
    return []


def outputs_exist(relation: str) -> list[str]:
    """Outputs written before, with a column of an enrichment since turned off."""
    return ["batch_id", "page_view_id", "domain_sessionid", "domain_userid", "start_tstamp", "category"]


def rendered_statements(dialect: str, features: dict, columns=no_outputs_yet):
    renderer = project_renderer(PROJECT, dialect)
    for module in MODULES.values():
        for path in (module.main, module.complete, module.destroy, module.backfill):
            if path is None:
                continue
            book = load_playbook(path, {}, Renderer(None), project_root=REPO)
            variables = module_variables(PROJECT, module, book, features, dialect)
            variables.update(run_names(module, "r", 7, {t: (3, 7) for t in module.staged_inputs}, variables,
                                       columns),
                             backfill_since="2024-01-01", backfill_consumer="c")
            for step in render_steps(book.steps, renderer, variables):
                for rq in step:
                    for statement in split_statements(rq.sql, dialect):
                        yield f"{module.name} {path.name} {rq.query.name}", statement


def test_the_standard_modules_are_there():
    assert {"base", "page_views", "sessions", "users"} <= set(MODULES)


@pytest.mark.parametrize("columns", [no_outputs_yet, outputs_exist], ids=["first-run", "outputs-exist"])
@pytest.mark.parametrize("features", FEATURES, ids=["defaults", "all-enrichments", "skip-and-entropy"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_parses(dialect, features, columns):
    count = 0
    for where, statement in rendered_statements(dialect, features, columns):
        parsed = sqlglot.parse_one(statement, read=dialect)
        assert not isinstance(parsed, sqlglot.exp.Command), f"{where}: sqlglot could not parse:\n{statement}"
        count += 1
    assert count > 40


def test_redshift_tables_carry_distribution_and_sort_keys():
    """Every table that outlives a run (outputs, staged batches) is created with both."""
    created = [re.search(r"CREATE TABLE (?:IF NOT EXISTS )?(\S+)", s) for _, s in rendered_statements("redshift", {})]
    lasting = [m.string for m in created if m and (m[1].startswith("derived.") or m[1].endswith("_staged"))]
    assert len(lasting) >= 5 and all("DISTKEY" in s and "SORTKEY" in s for s in lasting), lasting
