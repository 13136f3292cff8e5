"""Every statement of every RudderStack module renders on every dialect and parses with sqlglot
(the Redshift check stands in for a live cluster): with the RudderStack tables absent (as
`sluice check` sees them) and present with every column, with each option on and off."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
import yaml

from sluice.config import load_project
from sluice.events.rudderstack.schema import TABLES
from sluice.families import loader_variables, project_renderer
from sluice.lifecycle.context import module_variables, run_names
from sluice.lifecycle.modules import discover
from sluice.render.renderer import Renderer
from sluice.sqlrunner.executor import render_steps
from sluice.sqlrunner.playbook import load_playbook
from sluice.targets import DIALECTS
from sluice.targets.base import split_statements

FEATURES = [
    {},
    {"session_gap_rule": "bq_minutes", "alias_resolution": "first", "journey_mode": "seed_prefix",
     "journey_length": 3, "session_id_format": "hash", "start_date": "2024-01-01", "entropy": "_copy2",
     "alias_sources": ["tracks"], "session_sources": ["tracks", "pages", "screens", "identifies"],
     "metrics_user_key": "anonymous_id", "session_source": "sdk", "bounce_definition": "single_page",
     "reporting_timezone": "Europe/Paris", "activity_sources": ["tracks", "pages", "screens"],
     "inactivity_cutoff": 600, "attribution_lookback_days": 7, "conversion_amount": ["revenue"], "order_sources": [],
     "features_as_of": "2024-03-05", "lookback_days": [7, 28], "feature_restate": "none", "features_catch_up": "latest",
     "campaign_source_tables": ["identifies", "tracks"], "order_amount_column": "revenue", "product_ref_var": "name",
     "pass_through_columns": ["context_locale", "context_screen_width", "plan_tier"]},
]
FAMILY = ("rs_base", "rs_identity", "rs_sessions", "rs_journeys", "rs_activity_sessions", "rs_daily_metrics",
          "rs_web_attribution", "rs_user_features")
#: tables of one row per date (or per date and dimension) or per currency: small, copied to every
#: node on Redshift
DAILY = ("rs_daily_metrics", "rs_daily_session_metrics_by_dim", "rs_daily_dau_by_first_touch",
         "web_attribution_by_channel", "rs_features_snapshots", "rs_features_currencies")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("rudder")
    (root / "sluice.yml").write_text(yaml.safe_dump({"models": ["rudderstack"]}))
    return load_project(root)


def every_column(relation: str) -> list[str]:
    """The warehouse as a long-running project has it: every RudderStack table with every
    column the SDKs can send; the model's own tables exist."""
    name = relation.split(".")[-1].removesuffix("_copy2")
    if name in TABLES:
        return list(TABLES[name].column_names)
    if name == "event_stream_customer_features":
        return []
    return ["session_id", "ended_at", "num_pvs", "n_events", "cnt_viewed_product", "cnt_signup", "event_2",
            "event_3", "event_4", "event_5", "alias", "dbt_visitor_id"]


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
                          "backfill_table": staged}
                if columns is not None and module.name == "rs_journeys" and features.get("journey_length"):
                    values["columns"] = lambda relation: []   # a length change is refused (see below)
                for step in render_steps(book.steps, renderer, values):
                    for rq in step:
                        for statement in split_statements(rq.sql, dialect):
                            yield f"{module.name} {path.name} {rq.query.name}", statement


def test_the_family_modules_are_there(project):
    assert set(discover(project)) == set(FAMILY)


@pytest.mark.parametrize("tables", ["absent", "present"])
@pytest.mark.parametrize("features", FEATURES, ids=["defaults", "options"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_parses(project, dialect, features, tables):
    count = 0
    for where, statement in rendered_statements(project, dialect, features,
                                                every_column if tables == "present" else None):
        parsed = sqlglot.parse_one(statement, read=dialect)
        assert not isinstance(parsed, sqlglot.exp.Command), f"{where}: sqlglot could not parse:\n{statement}"
        count += 1
    assert count > 60


def test_absent_tables_read_as_empty_and_present_ones_by_load_time(project):
    absent = dict(rendered_statements(project, "postgres", {}))
    window = next(s for w, s in rendered_statements(project, "postgres", {}, every_column)
                  if "kept-copies" in w and "rs_base_window" in s and "CREATE" in s)
    assert "rudder.tracks" not in absent["rs_base 01-rs-base-main.yml kept-copies"]
    for table in ("tracks", "pages", "screens", "identifies", "aliases"):
        assert f"FROM rudder.{table} AS r" in window
    assert "r.uuid_ts >= (SELECT l.lower_limit" in window
    assert '"timestamp"' in window and 'r."event"' in window


def test_redshift_tables_carry_distribution_and_sort_keys(project):
    statements = [_uncommented(s) for _, s in rendered_statements(project, "redshift", {})]
    ddl = [s for s in statements if s.upper().startswith("CREATE TABLE IF NOT EXISTS")]
    assert len(ddl) >= 12 and all(("DISTKEY" in s or "DISTSTYLE ALL" in s) and "SORTKEY" in s for s in ddl), ddl
    everywhere = [s for s in ddl if "DISTSTYLE ALL" in s]
    assert sorted(s.split()[5].split(".")[1] for s in everywhere) == sorted(DAILY)


def _uncommented(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.startswith("--")).strip()


def test_postgres_indexes_the_load_time_of_every_rudderstack_table(project):
    setup = [s for w, s in rendered_statements(project, "postgres", {}, every_column) if "staged-tables" in w]
    for table in ("tracks", "pages", "screens", "identifies", "aliases"):
        index = f"CREATE INDEX IF NOT EXISTS rs_{table}_uuid_ts ON rudder.{table} (uuid_ts)"
        assert any(s.endswith(index) for s in setup), table


@pytest.mark.parametrize("vars_", [{}, {"rs_schema": "web_source"}])
def test_rs_schema_is_declared_once_for_the_loader_and_every_module(tmp_path, vars_):
    """The loader writes where rs_base reads and rs_web_attribution reads pages' pass-through
    columns; a custom module of a RudderStack project sees the same schema."""
    custom = tmp_path / "playbooks" / "custom" / "mine"
    custom.mkdir(parents=True)
    (custom / "module.yml").write_text("name: mine\nmain: main.yml\ncomplete: complete.yml\n")
    (tmp_path / "sql" / "custom" / "mine").mkdir(parents=True)
    (tmp_path / "sql" / "custom" / "mine" / "q.sql").write_text("SELECT 1")
    for book in ("main.yml", "complete.yml"):
        (custom / book).write_text("steps: [{name: s, queries: [{name: q, file: q.sql}]}]\n")
    (tmp_path / "sluice.yml").write_text(yaml.safe_dump({"models": ["rudderstack"], "vars": vars_}))
    project = load_project(tmp_path)
    expected = vars_.get("rs_schema", "rudder")
    assert loader_variables(project, "rudderstack", {}, "duckdb")["rs_schema"] == expected
    modules = discover(project)
    for name in ("rs_base", "rs_web_attribution", "mine"):
        book = load_playbook(modules[name].main, {}, Renderer(None), project_root=project.root)
        assert module_variables(project, modules[name], book, {}, "duckdb")["rs_schema"] == expected, name


def test_a_snowplow_project_has_no_rudderstack_variables(tmp_path):
    (tmp_path / "sluice.yml").write_text(yaml.safe_dump({"models": ["snowplow-web"]}))
    project = load_project(tmp_path)
    module = discover(project)["base"]
    book = load_playbook(module.main, {}, Renderer(None), project_root=project.root)
    assert "rs_schema" not in module_variables(project, module, book, {}, "duckdb")
    # `sluice load --source rudderstack` still knows where to write
    assert loader_variables(project, "rudderstack", {}, "duckdb")["rs_schema"] == "rudder"


def render_main(project, name: str, features: dict, columns=every_column) -> list:
    """Module `name`'s main rendered for DuckDB as a run reads batches 4-7 of each staged input,
    with `columns` standing for the warehouse."""
    renderer = project_renderer(project, "duckdb")
    module = discover(project)[name]
    book = load_playbook(module.main, {}, Renderer(None), project_root=project.root)
    variables = module_variables(project, module, book, features, "duckdb")
    variables.update(run_names(module, "r", 7, {t: (3, 7) for t in module.staged_inputs}, variables, columns))
    return render_steps(book.steps, renderer, variables)


def test_a_changed_journey_length_asks_for_a_full_refresh(project):
    with pytest.raises(Exception, match="full-refresh rs_journeys"):
        render_main(project, "rs_journeys", {"journey_length": 3})


def test_the_second_sessionizer_runs_the_first_ones_files(project):
    modules = discover(project)
    first, second = modules["rs_sessions"], modules["rs_activity_sessions"]
    books = [load_playbook(m.main, {}, Renderer(None), project_root=project.root) for m in (first, second)]
    files = [[q.file for s in b.steps for q in s.queries] for b in books]
    assert files[0] == files[1]
    assert not (Path(files[0][0]).parents[2] / "05-rs-activity-sessions").exists()


def test_a_changed_lookback_days_asks_for_a_full_refresh(project):
    with pytest.raises(Exception, match="full-refresh rs_user_features"):
        render_main(project, "rs_user_features", {"lookback_days": [7]},
                    lambda relation: ["dbt_visitor_id", "timestamp", "row_id", "age_in_years"]
                    if relation.endswith("event_stream_customer_features") else [])


@pytest.mark.parametrize(("value", "message"), [
    ("context_locale", "must be a list of column names"),               # --var gives a string
    (["Context_Locale"], "'Context_Locale' is not a column name"),
    (["plan tier; drop"], "is not a column name"),
    ([7], "'7' is not a column name"),
    (["page_url"], "'page_url' is a column web_page_views__sessionized has already"),
    (["session_id"], "'session_id' is a column web_page_views__sessionized has already"),
    (["context_locale", "context_locale"], "names 'context_locale' twice"),
])
def test_pass_through_columns_are_checked(project, value, message):
    with pytest.raises(Exception, match=message):
        render_main(project, "rs_web_attribution", {"pass_through_columns": value})


def test_a_staged_table_its_producer_has_not_created_reads_as_empty(project):
    """rs_user_features reads rs_remaps_staged and rs_session_changes_staged through
    `unconsumed(..., if_created=true)`: the one that exists is read from its batches, the one
    whose producer never ran is an empty relation of the same shape."""
    steps = render_main(project, "rs_user_features", {},
                        lambda relation: [] if relation.endswith("session_changes_staged") else every_column(relation))
    statements = [s for step in steps for rq in step for s in split_statements(rq.sql, "duckdb")]
    remapped = next(s for s in statements if s.startswith("CREATE TABLE scratch.rs_features_remapped"))
    restarts = next(s for s in statements if s.startswith("CREATE TABLE scratch.rs_features_session_changes"))
    assert "FROM scratch.rs_remaps_staged AS s WHERE s.batch_id > 3 AND s.batch_id <= 7" in remapped
    assert "rs_session_changes_staged" not in restarts
    assert restarts.endswith("CAST(NULL AS TIMESTAMP) AS restart_at WHERE 1 = 0")
