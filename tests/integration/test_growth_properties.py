"""The growth family converges: random sessions and registrations of a few
users (starts around every rule's window, sessions corrected in a later batch, rows sent twice,
registrations whose sessions arrive later), loaded in random batches with random module runs,
complete replays and re-sent batch folders in between, end equal to one run over all the loads."""

from __future__ import annotations

import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.integration.growth import MODULES, T0, GrowthModel, registration, session
from tests.properties import HEAVY_DRAWS, examples

BATCHES = 4
#: after each batch is loaded: re-send the first one, run every module (`all`), or one module's
#: main, complete or both
ACTION = st.one_of(st.sampled_from([("resend", None), ("run", "all"), ("run", "all")]),
                   st.tuples(st.sampled_from(["main", "complete", "run"]), st.sampled_from(MODULES)))
ACTIONS = st.lists(st.lists(ACTION, max_size=4), min_size=BATCHES, max_size=BATCHES)
USERS = (1, 2, 3)
MEDIUMS = ("PAID SEARCH", "PAID SOCIAL", "IMPRESSION", "ORGANIC SEARCH", "DIRECT", "REFERRAL")
#: session starts, in minutes from T0: around the 1, 3 and 12 hour windows of each registration
STARTS = st.sampled_from([0, 60, 120, 239, 240, 241, 420, 600, 24 * 60, 30 * 24 * 60])
#: registration times, in minutes from T0 (the last one in the next month)
REGISTERED = st.sampled_from([0, 180, 300, 360, 1320, 1500, 31 * 24 * 60])


@st.composite
def batches(draw) -> list[tuple[list, list]]:
    """Per batch, (sessions, registrations). A session's versions go to strictly later batches
    one after the other (two versions in one batch is what a critical check refuses)."""
    out: list[tuple[list, list]] = [([], []) for _ in range(BATCHES)]
    for user in USERS[:draw(st.integers(1, 3))]:
        for start in draw(st.lists(STARTS, max_size=4, unique=True)):
            batch = draw(st.integers(0, BATCHES - 1))
            for version in range(draw(st.integers(1, 2))):
                if version and batch + 1 >= BATCHES:
                    break
                batch = batch if not version else draw(st.integers(batch + 1, BATCHES - 1))
                medium = draw(st.sampled_from(MEDIUMS))
                row = session(user, T0 + timedelta(minutes=start), medium, medium in MEDIUMS[:3])
                out[batch][0].append(row)
        for when in draw(st.lists(REGISTERED, max_size=2, unique=True)):
            row = registration(user, T0 + timedelta(minutes=when))
            for batch in draw(st.lists(st.integers(0, BATCHES - 1), min_size=1, max_size=2, unique=True)):
                out[batch][1].append(row)                # sent twice: in two batches
    return out


def play(incremental: GrowthModel, full: GrowthModel, loads: list[tuple[list, list]], actions) -> None:
    """Each batch is loaded, then that batch's actions run; the full model loads every batch,
    then runs once."""
    sent = []
    with incremental.project.target() as target:
        lifecycle = incremental.lifecycle(target)
        for (sessions, conversions), after in zip(loads, actions, strict=True):
            if sessions or conversions:
                sent.append(incremental.write_batch(sessions, conversions))
                incremental.load_path(sent[-1])
            for action, module in after:
                if action == "resend":
                    if sent:
                        incremental.load_path(sent[0])     # the first folder again: adds nothing
                    continue
                chosen = [] if module == "all" else [module]
                lifecycle.run(lifecycle.plan(chosen, None if action == "run" else action))
        lifecycle.catch_up()
    for batch in loads:
        full.load(*batch)
    full.run()
    assert incremental.snapshot() == full.snapshot()



CASE = st.data()
SEED_MODE = {"growth_mart": {"vars": {"attribution_mode": "seed"}}}


def converge_on_duckdb(data, modules: dict | None) -> None:
    loads, actions = data.draw(batches()), data.draw(ACTIONS)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        incremental = GrowthModel(Path(a), {"type": "duckdb", "path": ".sluice/i.duckdb"}, modules=modules)
        full = GrowthModel(Path(b), {"type": "duckdb", "path": ".sluice/f.duckdb"}, modules=modules)
        play(incremental, full, loads, actions)


@settings(max_examples=examples(5), deadline=None, suppress_health_check=HEAVY_DRAWS)
@given(data=CASE)
def test_growth_family_converges_on_duckdb(data):
    converge_on_duckdb(data, None)


@settings(max_examples=examples(5), deadline=None, suppress_health_check=HEAVY_DRAWS)
@given(data=CASE)
def test_growth_family_in_seed_mode_converges_on_duckdb(data):
    converge_on_duckdb(data, SEED_MODE)


@pytest.fixture(scope="module")
def pg_growth_db(pg_admin_dsn):
    from tests import pg

    with pg.fresh_database(pg_admin_dsn) as dsn:
        yield pg.target_settings(dsn)


def test_growth_family_converges_on_postgres(pg_growth_db, tmp_path_factory):
    @settings(max_examples=examples(3), deadline=None, suppress_health_check=HEAVY_DRAWS)
    @given(data=CASE, seed_mode=st.booleans())
    def converge(data, seed_mode):
        loads, actions = data.draw(batches()), data.draw(ACTIONS)
        pair = []
        for _ in range(2):   # one database; each model its own tables through `entropy`
            entropy = f"_{uuid.uuid4().hex[:8]}"
            pair.append(GrowthModel(tmp_path_factory.mktemp("growth"), pg_growth_db, variables={"entropy": entropy},
                                    modules=SEED_MODE if seed_mode else None))
        play(*pair, loads, actions)

    converge()
