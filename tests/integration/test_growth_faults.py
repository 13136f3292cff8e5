"""The growth family killed by SIGKILL at step boundaries of every module's main and complete,
then run again: it ends equal to one run over all the loads (a kill inside complete rolls it
back; a kill after main leaves a pending batch the next main discards)."""

from __future__ import annotations

import pytest

from tests.cli import invoke, spawn
from tests.integration.growth import GrowthModel, at, registration, session

FIRST = ([session(1, at(0), "REFERRAL"), session(2, at(0), "DIRECT")], [registration(1, at(5))])
#: every module has work: a late paid session for user 1, a corrected session of user 2, a new
#: registration of user 2 and one of a user with no session
SECOND = ([session(1, at(4), "PAID SEARCH", True), session(2, at(0), "ORGANIC SEARCH")],
          [registration(2, at(6)), registration(3, at(7))])
KILL_POINTS = [
    "growth_staging:main:guard", "growth_staging:main:stage", "growth_staging:main:end",
    "growth_staging:complete:write", "growth_dwh:main:channels", "growth_dwh:main:end",
    "growth_dwh:complete:write", "growth_mart:main:attribute", "growth_mart:complete:attribution",
    "growth_mart:complete:end",
]
ON_POSTGRES = ["growth_staging:main:stage", "growth_dwh:complete:write", "growth_mart:main:end"]


def killed_then_rerun(project, kill_at: str, full_vars: dict) -> None:
    incremental = GrowthModel(project.root, project.target_settings)
    incremental.load(*FIRST)
    assert invoke(project.root, "run").returncode == 0
    incremental.load(*SECOND)
    killed = spawn(project.root, "run", env={"SLUICE_KILL_AT": kill_at})
    assert killed.returncode == -9, killed.stderr
    rerun = invoke(project.root, "run", "--catch-up")
    assert rerun.returncode == 0, rerun.stderr
    assert f"module '{kill_at.split(':')[0]}': taking over a stale lock" in rerun.stdout
    full_root = project.root / "full"
    full_root.mkdir()
    full = GrowthModel(full_root, project.target_settings, variables=full_vars)
    full.load(*FIRST)
    full.load(*SECOND)
    full.run()
    assert incremental.snapshot() == full.snapshot()
    assert incremental.attribution() == [(1, at(5), "PAID_SEARCH", "PAID SEARCH", 1, "live_session"),
                                         (2, at(6), "ORGANIC_SEARCH", "ORGANIC SEARCH", 6, "live_session"),
                                         (3, at(7), "UNATTRIBUTED", None, None, "no_session")]


@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_killed_anywhere_then_rerun_equals_a_full_run_on_duckdb(duckdb_project, kill_at):
    killed_then_rerun(duckdb_project, kill_at, {})


@pytest.mark.parametrize("kill_at", ON_POSTGRES)
def test_killed_anywhere_then_rerun_equals_a_full_run_on_postgres(postgres_project, kill_at):
    killed_then_rerun(postgres_project, kill_at, {"entropy": "_full", "growth_raw_schema": "raw_full"})
