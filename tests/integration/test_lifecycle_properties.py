"""Any schedule converges: random batches arriving over time, a random interleaving of
producer and consumer runs (main alone, complete alone, both, complete replays), and once
every module has caught up the outputs equal one run over all the input."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.integration.accounts import MODULES, Accounts
from tests.properties import examples

EVENT = st.tuples(st.sampled_from("abcde"), st.integers(1, 9), st.integers(0, 4))
ACTION = st.one_of(
    st.tuples(st.just("load"), st.lists(EVENT, min_size=1, max_size=4)),
    st.tuples(st.sampled_from(["main", "complete", "run"]), st.sampled_from(MODULES)),
)
SCHEDULES = st.lists(ACTION, min_size=1, max_size=14)


def play(acc: Accounts, schedule) -> None:
    with acc.project.target() as target:
        lifecycle = acc.lifecycle(target)
        for action, arg in schedule:
            if action == "load":
                acc.load(arg)
            else:
                lifecycle.run(lifecycle.plan([arg], None if action == "run" else action))
        lifecycle.run(lifecycle.plan())  # every module catches up
    assert acc.outputs() == acc.expected()



@settings(max_examples=examples(50), deadline=None)
@given(schedule=SCHEDULES)
def test_any_schedule_converges_on_duckdb(schedule):
    with tempfile.TemporaryDirectory() as tmp:
        acc = Accounts(Path(tmp), {"type": "duckdb", "path": ".sluice/p.duckdb"})
        acc.create_source()
        play(acc, schedule)


@pytest.fixture(scope="module")
def pg_property_db(pg_admin_dsn):
    from tests import pg

    with pg.fresh_database(pg_admin_dsn) as dsn:
        yield pg.target_settings(dsn)


def test_any_schedule_converges_on_postgres(pg_property_db, tmp_path_factory):
    @settings(max_examples=examples(12), deadline=None)
    @given(schedule=SCHEDULES)
    def converge(schedule):
        # One database, a fresh `entropy` suffix per example: every table is the example's own.
        acc = Accounts(tmp_path_factory.mktemp("pg"), pg_property_db, entropy=f"_{uuid.uuid4().hex[:8]}")
        acc.create_source()
        play(acc, schedule)

    converge()
