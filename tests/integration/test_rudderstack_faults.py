"""The RudderStack family killed by SIGKILL at step boundaries of every module's main and
complete, then run again: it ends equal to one full run over all the rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests import pg
from tests.cli import invoke, spawn
from tests.integration.rudder import LOAD0, RudderModel, alias, at, identify, order, page, track

FIRST = [track("t1", at(0), "viewed_product"), track("t2", at(minutes=10), "added"),
         track("t3", at(minutes=50), "signup", received_at=at(minutes=50, seconds=9)),
         page("p1", at(minutes=5), name="Home"), track("u1", at(hours=1), anon="d2", user="alice")]
#: every module has work: a bridging late event, a late identify moving a1 to alice, a retry
#: of t3 received earlier with another timestamp, an alias, a page joining p1's session, an order
SECOND = [track("t4", at(minutes=30), "checkout"), identify("i1", at(hours=-1), "a1", "alice"),
          track("t3", at(minutes=49), "signup", received_at=at(minutes=50, seconds=1)),
          alias("al1", at(hours=2), previous="d3", user="alice"), track("d3e", at(hours=3), anon="d3"),
          page("p2", at(minutes=25), name="Cart"), *order("o1", at(hours=4), user="alice", order_id="ord1", total=20.0)]
#: a step boundary of every module's main and complete (a kill inside complete rolls it back;
#: the lifecycle's own points, such as after main's last step, are killed in test_lifecycle.py)
KILL_POINTS = [
    "rs_base:main:stage", "rs_base:complete:manifests", "rs_identity:main:mapping", "rs_identity:complete:write",
    "rs_sessions:main:end", "rs_sessions:complete:write", "rs_journeys:main:upsert",
    "rs_activity_sessions:main:sessions", "rs_daily_metrics:main:dims", "rs_daily_metrics:complete:sessions",
    "rs_web_attribution:main:users", "rs_web_attribution:complete:attribution",
    "rs_user_features:main:touched", "rs_user_features:complete:features",
]
ON_POSTGRES = ["rs_identity:main:end", "rs_sessions:complete:write", "rs_journeys:main:upsert",
               "rs_daily_metrics:main:dims", "rs_daily_metrics:complete:visitors",
               "rs_web_attribution:complete:attribution", "rs_user_features:complete:pairs"]


def stamped(rows, load: int):
    return [(table, {**row, "uuid_ts": LOAD0 + timedelta(minutes=load)}) for table, row in rows]


@pytest.fixture(scope="module")
def full_on_duckdb(tmp_path_factory) -> dict:
    """What one full run over all the rows builds: the same for every kill point."""
    return full_run(tmp_path_factory.mktemp("full"), {"type": "duckdb", "path": ".sluice/full.duckdb"})


@pytest.fixture(scope="module")
def full_on_postgres(tmp_path_factory, pg_admin_dsn) -> Iterator[dict]:
    with pg.fresh_database(pg_admin_dsn) as dsn:
        yield full_run(tmp_path_factory.mktemp("full"), pg.target_settings(dsn))


def full_run(root, target: dict) -> dict:
    full = RudderModel(root, target)
    full.load(stamped(FIRST, 1) + stamped(SECOND, 2))
    full.run()
    return full.snapshot()


def killed_then_rerun(project, kill_at: str, full: dict, parallel_modules: int = 1) -> None:
    incremental = RudderModel(project.root, project.target_settings, parallel_modules=parallel_modules)
    incremental.load(stamped(FIRST, 1))
    assert invoke(project.root, "run").returncode == 0
    incremental.load(stamped(SECOND, 2))
    killed = spawn(project.root, "run", env={"SLUICE_KILL_AT": kill_at})
    assert killed.returncode == -9, killed.stderr
    rerun = invoke(project.root, "run", "--catch-up")
    assert rerun.returncode == 0, rerun.stderr
    assert f"module '{kill_at.split(':')[0]}': taking over a stale lock" in rerun.stdout
    assert incremental.snapshot() == full


@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_killed_anywhere_then_rerun_equals_a_full_run_on_duckdb(duckdb_project, kill_at, full_on_duckdb):
    killed_then_rerun(duckdb_project, kill_at, full_on_duckdb)


@pytest.mark.parametrize("kill_at", ON_POSTGRES)
def test_killed_anywhere_then_rerun_equals_a_full_run_on_postgres(postgres_project, kill_at, full_on_postgres):
    killed_then_rerun(postgres_project, kill_at, full_on_postgres)


#: with parallel_modules 2, a kill in one module while another runs beside it (both locks then
#: held by the dead process, both taken over by the rerun)
IN_PARALLEL = ["rs_sessions:complete:write", "rs_web_attribution:main:users", "rs_user_features:main:touched"]


@pytest.mark.parametrize("kill_at", IN_PARALLEL)
def test_killed_while_modules_run_in_parallel_then_rerun_equals_a_full_run(project, kill_at, request):
    full = request.getfixturevalue(f"full_on_{project.kind}")
    killed_then_rerun(project, kill_at, full, parallel_modules=2)

