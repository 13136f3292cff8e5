"""The RudderStack family converges: random tracks, pages, orders, identifies, aliases and backend
calls of a few devices and users (idle gaps around the cutoff, ties in time, ids re-sent with other
receive times and event times, identities learnt late, calls with no id), loaded in random
batches with random module runs and complete replays in between, end equal to one full run
over all the rows."""

from __future__ import annotations

import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.integration.rudder import LOAD0, MODULES, RudderModel, alias, at, call, identify, order, page, track
from tests.properties import HEAVY_DRAWS, examples

ACTIONS = st.lists(st.one_of(st.just(("load", None)),
                             st.tuples(st.sampled_from(["main", "complete", "run"]), st.sampled_from(MODULES))),
                   min_size=1, max_size=12)
ANONS = ("a0", "a1", "a2")
USERS = ("u0", "u1")
#: gaps between a device's calls, in ms: short, at and around the 30-minute cutoff, long
GAPS = st.sampled_from([0, 1, 60_000, 600_000, 1_799_999, 1_800_000, 1_800_001, 1_860_000, 3_600_000, 7_200_000])
#: where a device's first call falls: mid-morning, or ten minutes before midnight (sessions and
#: merges across dates)
STARTS = st.sampled_from([0, 13 * 3_600_000 + 50 * 60_000])
#: what a browser call says about where it came from, on what screen, in which SDK session
CONTEXTS = st.fixed_dictionaries({}, optional={
    "context_page_referrer": st.sampled_from(["$direct", "https://www.google.com/", "https://www.facebook.com/"]),
    "context_page_referring_domain": st.sampled_from(["www.google.com", "www.facebook.com"]),
    "context_campaign_source": st.sampled_from(["google", "newsletter"]),
    "context_campaign_medium": st.sampled_from(["cpc", "email"]),
    "context_screen_width": st.sampled_from([1920, 390]),
    "context_screen_height": st.sampled_from([1080, 844]),
    "context_session_id": st.sampled_from([100, 200]),
})


@st.composite
def row_sets(draw) -> list:
    rows, n = [], 0
    for anon in ANONS[:draw(st.integers(1, 3))]:
        clock = draw(STARTS) + draw(st.integers(0, 3_600_000))
        for _ in range(draw(st.integers(1, 5))):
            n += 1
            when = at(ms=clock)
            kind = draw(st.sampled_from(["track", "track", "track", "page", "page", "identify", "alias", "server",
                                         "order"]))
            user = draw(st.one_of(st.none(), st.sampled_from(USERS)))
            if kind == "track":
                rows.append(track(f"e{n}", when, draw(st.sampled_from(["viewed_product", "signup", "added"])),
                                  anon=anon, user=user, **draw(CONTEXTS)))
            elif kind == "page":
                rows.append(page(f"e{n}", when, anon=anon, user=user, name="Home", **draw(CONTEXTS)))
            elif kind == "server":                # a backend call: maybe a user_id, never an anonymous_id
                rows.append(call("tracks", f"e{n}", when, None, user, event="order_completed"))
            elif kind == "order":                 # its tracks row and its order_completed row
                rows.extend(order(f"e{n}", when, anon=anon, user=user, order_id=f"o{n}", currency="USD",
                                  total=draw(st.sampled_from([10.0, 30.0]))))
            elif kind == "identify":
                rows.append(identify(f"e{n}", when, anon, user or USERS[0]))
            else:
                rows.append(alias(f"e{n}", when, draw(st.sampled_from(ANONS)), user or USERS[1]))
            clock += draw(GAPS)
    for table, original in draw(st.lists(st.sampled_from(rows), max_size=3)):
        shift = draw(st.sampled_from([-5_000, 5_000, 2_000_000]))     # received earlier or later, maybe moved
        copy = {**original, "received_at": original["received_at"] + timedelta(milliseconds=shift)}
        if draw(st.booleans()):
            copy["timestamp"] = copy["timestamp"] + timedelta(milliseconds=shift)
        rows.append((table, copy))
    return rows


def play(incremental: RudderModel, full: RudderModel, rows, batch_of, actions) -> None:
    """Each batch is one load (its uuid_ts a minute after the previous one's); the full model
    loads every row at once with the same uuid_ts."""
    stamped = [(table, {**row, "uuid_ts": LOAD0 + timedelta(minutes=b + 1)})
               for (table, row), b in zip(rows, batch_of, strict=True)]
    batches = [[r for r, b in zip(stamped, batch_of, strict=True) if b == i] for i in range(max(batch_of) + 1)]
    with incremental.project.target() as target:
        lifecycle = incremental.lifecycle(target)
        for action, module in actions:
            if action == "load":
                if batches:
                    incremental.load(batches.pop(0))
            else:
                lifecycle.run(lifecycle.plan([module], None if action == "run" else action))
        for batch in batches:
            incremental.load(batch)
        lifecycle.catch_up()
    full.load(stamped)
    full.run()
    assert incremental.snapshot() == full.snapshot()





CASE = st.data()


def draw_case(data) -> tuple[list, list[int], list, int]:
    """Rows, the load batch of each, the actions, and the incremental project's parallel_modules."""
    rows = data.draw(row_sets())
    batch_of = data.draw(st.lists(st.integers(0, 3), min_size=len(rows), max_size=len(rows)))
    return rows, batch_of, data.draw(ACTIONS), data.draw(st.sampled_from([1, 2]))


@settings(max_examples=examples(6), deadline=None, suppress_health_check=HEAVY_DRAWS)
@given(data=CASE)
def test_rudderstack_family_converges_on_duckdb(data):
    rows, batch_of, actions, parallel = draw_case(data)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        incremental = RudderModel(Path(a), {"type": "duckdb", "path": ".sluice/i.duckdb"}, parallel_modules=parallel)
        full = RudderModel(Path(b), {"type": "duckdb", "path": ".sluice/f.duckdb"})
        play(incremental, full, rows, batch_of, actions)


#: rs_daily_metrics with every seed-parity switch and the other options
METRICS_OPTIONS = {"rs_daily_metrics": {"vars": {
    "metrics_user_key": "anonymous_id", "session_source": "sdk", "bounce_definition": "single_page",
    "reporting_timezone": "Europe/Paris", "activity_sources": ["tracks"]}}}


@settings(max_examples=examples(6), deadline=None, suppress_health_check=HEAVY_DRAWS)
@given(data=CASE)
def test_event_analytics_with_its_options_converges_on_duckdb(data):
    rows, batch_of, actions, parallel = draw_case(data)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        incremental = RudderModel(Path(a), {"type": "duckdb", "path": ".sluice/i.duckdb"}, modules=METRICS_OPTIONS,
                                  parallel_modules=parallel)
        full = RudderModel(Path(b), {"type": "duckdb", "path": ".sluice/f.duckdb"}, modules=METRICS_OPTIONS)
        play(incremental, full, rows, batch_of, actions)


@pytest.fixture(scope="module")
def pg_rudder_db(pg_admin_dsn):
    from tests import pg

    with pg.fresh_database(pg_admin_dsn) as dsn:
        yield pg.target_settings(dsn)


def test_rudderstack_family_converges_on_postgres(pg_rudder_db, tmp_path_factory):
    @settings(max_examples=examples(3), deadline=None, suppress_health_check=HEAVY_DRAWS)
    @given(data=CASE)
    def converge(data):
        rows, batch_of, actions, parallel = draw_case(data)
        pair = []
        for parallel_modules in (parallel, 1):   # one database; each model its own tables through `entropy`
            entropy = f"_{uuid.uuid4().hex[:8]}"
            pair.append(RudderModel(tmp_path_factory.mktemp("rs"), pg_rudder_db, variables={"entropy": entropy},
                                    parallel_modules=parallel_modules))
        play(*pair, rows, batch_of, actions)

    converge()
