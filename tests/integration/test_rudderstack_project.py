"""A RudderStack project from the command line: `sluice init --model rudderstack`, a project
that enables only its own families, a run before any RudderStack table exists, status, and a
full refresh of the sessionizer (its inputs re-staged by rs_base's and rs_identity's backfills)."""

from __future__ import annotations

import json

import yaml

from tests.cli import invoke
from tests.integration.rudder import RudderModel, at, identify, page, track


def test_init_with_the_rudderstack_family_checks_and_runs_on_nothing(tmp_path):
    assert invoke(tmp_path, "init", "shop", "--model", "rudderstack").returncode == 0
    project = tmp_path / "shop"
    assert yaml.safe_load((project / "sluice.yml").read_text())["models"] == ["rudderstack"]
    checked = invoke(project, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    graph = invoke(project, "graph").stdout
    assert "rs_sessions:main" in graph and "base:main" not in graph.replace("rs_base:main", "")
    ran = invoke(project, "run", "--catch-up")            # no RudderStack table exists yet: nothing to read
    assert ran.returncode == 0, ran.stderr
    status = json.loads(invoke(project, "status", "--json").stdout)
    assert {"rs_event_id_manifest", "rs_load_marks", "rs_identity_rows"} <= set(status["high_water_marks"])


def test_a_snowplow_project_never_sees_the_rudderstack_modules(tmp_path):
    assert invoke(tmp_path, "init", "web").returncode == 0
    graph = invoke(tmp_path / "web", "graph").stdout
    assert "page_views:main" in graph and "rs_" not in graph


def test_both_families_in_one_project(tmp_path):
    assert invoke(tmp_path, "init", "both", "--model", "snowplow-web", "--model", "rudderstack").returncode == 0
    checked = invoke(tmp_path / "both", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    graph = invoke(tmp_path / "both", "graph").stdout
    assert "page_views:main" in graph and "rs_journeys:main" in graph


def test_full_refresh_of_the_sessionizer_rebuilds_it_and_its_consumers(project):
    rs = RudderModel(project.root, project.target_settings)
    rs.load([track("t1", at(0)), track("t2", at(minutes=40)), page("p1", at(minutes=20))])
    assert invoke(project.root, "run", "--catch-up").returncode == 0
    rs.load([identify("i1", at(hours=1), "a1", "u1"), track("t3", at(hours=2), anon="a2", user="u1")])
    assert invoke(project.root, "run", "--catch-up").returncode == 0
    before = rs.snapshot()
    rs.sql("UPDATE derived.dbt_session_tracks SET session_sequence_number = -1")
    result = invoke(project.root, "run", "--full-refresh", "rs_sessions")
    assert result.returncode == 0, result.stderr
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("rebuilt ")]
    assert "rs_sessions" in line and "rs_journeys" in line
    assert rs.snapshot() == before
    rs.load([track("t4", at(hours=2, minutes=10), anon="a2", user="u1")])
    assert invoke(project.root, "run", "--catch-up").returncode == 0
    assert rs.table("dbt_session_tracks", "session_id, session_start_at") == [
        ("1 - u1", at(0)), ("2 - u1", at(minutes=40)), ("3 - u1", at(hours=2))]


def test_a_sessionizer_enabled_later_is_backfilled_over_history(project):
    # its consumer is disabled with it (a consumer of a table no enabled module produces is refused)
    rs = RudderModel(project.root, project.target_settings, modules={"rs_activity_sessions": {"enabled": False},
                                                                     "rs_daily_metrics": {"enabled": False}})
    rs.load([track("t1", at(0)), page("p1", at(minutes=20)), track("t2", at(minutes=40))])
    assert invoke(project.root, "run", "--catch-up").returncode == 0
    rs.load([identify("i1", at(hours=1), "a1", "u1")])
    assert invoke(project.root, "run", "--catch-up").returncode == 0
    assert not rs.exists("rs_activity_session_tracks")
    RudderModel(project.root, project.target_settings)        # enabled again
    result = invoke(project.root, "backfill", "rs_activity_sessions", "--since", "2020-01-01")
    assert result.returncode == 0, result.stderr
    assert rs.table("rs_activity_track_facts", "event_id, session_id, track_sequence_number") == [
        ("p1", "1 - u1", 2), ("t1", "1 - u1", 1), ("t2", "1 - u1", 3)]


def test_a_changed_journey_length_is_refused_until_the_full_refresh_that_rebuilds_it(project):
    rs = RudderModel(project.root, project.target_settings)
    rs.load([track(f"t{i}", at(minutes=i), name) for i, name in enumerate(["a", "b", "c", "d"], 1)])
    assert invoke(project.root, "run", "--catch-up").returncode == 0
    longer = RudderModel(project.root, project.target_settings,
                         modules={"rs_journeys": {"vars": {"journey_length": 4}}})
    refused = invoke(project.root, "run", "--catch-up")
    assert refused.returncode != 0 and "--full-refresh rs_journeys" in refused.stderr, refused.stderr
    rebuilt = invoke(project.root, "run", "--full-refresh", "rs_journeys")
    assert rebuilt.returncode == 0, rebuilt.stderr
    # four events of one session: the first three steps of each track after it, by the new length
    assert longer.table("dbt_tracks_flow", "event_id, event, event_2, event_3, event_4") == [
        ("t1", "a", "b", "c", "d"), ("t2", "b", "c", "d", None), ("t3", "c", "d", None, None),
        ("t4", "d", None, None, None)]
