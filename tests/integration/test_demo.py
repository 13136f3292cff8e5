"""`sluice demo` end to end, small: it makes a project folder of its own, and every command it
suggests next works there and sees the demo's data."""

from __future__ import annotations

import json

from tests.cli import invoke
from tests.integration.rudder import MODULES


def table_rows(out: str) -> dict[str, int]:
    return {line.split("\t")[0]: int(line.split("\t")[1]) for line in out.splitlines()
            if line.startswith(("atomic.", "derived.")) and "\t" in line}


def test_demo_builds_a_project_and_its_next_commands_work_there(tmp_path):
    result = invoke(tmp_path, "demo", "--events", "3000", "--users", "100", "--days", "3", "--batches", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for needle in ("batch 2/2", "rows per table", "derived.page_views", "time per module", "sample sessions",
                   "cd sluice-demo", "sluice status"):
        assert needle in out, out
    rows = table_rows(out)
    assert rows["atomic.events"] > 2500 and 0 < rows["derived.users"] <= rows["derived.sessions"] \
        <= rows["derived.page_views"]

    demo = tmp_path / "sluice-demo"
    assert (demo / "sluice.yml").is_file() and (demo / "playbooks" / "custom").is_dir()
    status = json.loads(invoke(demo, "status", "--json").stdout)
    assert {m["module"] for m in status["modules"]} == {"base", "page_views", "sessions", "users"}
    assert all(b["batches"] == 0 for b in status["backlog"])
    assert invoke(demo, "graph").stdout.startswith("base:main")
    assert invoke(demo, "check").returncode == 0

    # the suggested way to add more events, as printed
    (line,) = [ln.strip() for ln in out.splitlines() if ln.strip().startswith("sluice generate")]
    for command in line.split(" && "):
        step = invoke(demo, *command.split()[1:])
        assert step.returncode == 0, (command, step.stderr)
    more = invoke(demo, "status", "--json")
    assert json.loads(more.stdout)["high_water_marks"]["base_event_id_manifest"] > \
        status["high_water_marks"]["base_event_id_manifest"]


def test_demo_resets_its_own_folder_and_refuses_anyone_elses(tmp_path):
    small = ("--events", "300", "--users", "20", "--days", "1", "--batches", "1")
    assert invoke(tmp_path, "demo", *small).returncode == 0
    again = invoke(tmp_path, "demo", *small)
    assert again.returncode == 0, again.stderr
    assert table_rows(again.stdout) == table_rows(invoke(tmp_path, "demo", *small).stdout)
    assert invoke(tmp_path, "init", "mine").returncode == 0
    refused = invoke(tmp_path, "demo", "--dir", "mine", *small)
    assert refused.returncode == 1 and "did not make" in refused.stderr


def test_the_rudderstack_demo_builds_its_family_and_its_next_commands_work_there(tmp_path):
    result = invoke(tmp_path, "demo", "--model", "rudderstack", "--visitors", "60", "--days", "2", "--batches", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for needle in ("batch 2/2", "rows per table", "derived.rs_daily_metrics", "time per module", "rs_daily_metrics",
                   "daily metrics (rs_daily_metrics)", "sessions by channel", "cd sluice-rudderstack-demo"):
        assert needle in out, out
    rows = table_rows(out.replace("rudder.", "atomic."))
    assert rows["atomic.tracks"] > 100 and 0 < rows["derived.rs_daily_metrics"] <= 3
    assert rows["derived.rs_session_metrics"] == rows["derived.rs_activity_session_tracks"]

    demo = tmp_path / "sluice-rudderstack-demo"
    status = json.loads(invoke(demo, "status", "--json").stdout)
    assert {m["module"] for m in status["modules"]} == set(MODULES)  # the whole family ran
    assert all(b["batches"] == 0 for b in status["backlog"])
    assert invoke(demo, "graph").stdout.startswith("rs_base:main")
    assert invoke(demo, "check").returncode == 0
    # every command printed from there works as printed (the load one once the loader is there)
    for line in [ln.strip() for ln in out.splitlines() if ln.strip().startswith("sluice generate")]:
        for command in line.split(" && "):
            step = invoke(demo, *command.split()[1:])
            assert step.returncode == 0, (command, step.stderr)
        more = json.loads(invoke(demo, "status", "--json").stdout)
        assert more["high_water_marks"]["rs_event_id_manifest"] > status["high_water_marks"]["rs_event_id_manifest"]


def test_a_demo_folder_made_for_one_model_is_made_again_for_the_other(tmp_path):
    assert invoke(tmp_path, "demo", "--events", "300", "--users", "20", "--days", "1", "--batches", "1").returncode == 0
    again = invoke(tmp_path, "demo", "--model", "rudderstack", "--dir", "sluice-demo", "--visitors", "20", "--days",
                   "1", "--batches", "1")
    assert again.returncode == 0, again.stderr
    assert "models: [rudderstack]" in (tmp_path / "sluice-demo" / "sluice.yml").read_text()
    mixed = invoke(tmp_path, "demo", "--model", "rudderstack", "--events", "300")
    assert mixed.returncode == 1 and "--events applies to --model snowplow-web only" in mixed.stderr
