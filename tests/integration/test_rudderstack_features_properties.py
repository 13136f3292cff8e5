"""rs_user_features converges: the family's random calls plus random orders, cart adds, checkout
steps and traits, loaded in random batches, with random module runs, complete replays and
as-of dates moving forward in between (days with no new data included), end equal to one full
run at the last as-of date (catch-up builds every retained date, late data
restates them)."""

from __future__ import annotations

import json
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.integration.rudder import LOAD0, MODULES, RudderModel, at, ecommerce, identify
from tests.integration.test_rudderstack_properties import ANONS, USERS, row_sets
from tests.properties import HEAVY_DRAWS, examples

VARIABLES = {"feature_snapshot_retention_days": 3, "lookback_days": [1, 2]}
AS_OF = st.sampled_from([date(2024, 2, 29) + timedelta(days=n) for n in range(6)])
ACTIONS = st.lists(st.one_of(st.just(("load", None)), st.tuples(st.just("as_of"), AS_OF),
                             st.tuples(st.sampled_from(["main", "complete", "run"]), st.sampled_from(MODULES))),
                   min_size=1, max_size=14)


@st.composite
def shop_rows(draw) -> list:
    rows = []
    for n in range(draw(st.integers(0, 6))):
        when = at(hours=draw(st.integers(0, 80)))
        anon, user = draw(st.sampled_from(ANONS)), draw(st.one_of(st.none(), st.sampled_from(USERS)))
        kind = draw(st.sampled_from(["order", "cart", "checkout", "traits"]))
        if kind == "order":
            lines = [{"sku": draw(st.sampled_from("abc")), "category": draw(st.sampled_from(["x", "y"])),
                      "price": draw(st.sampled_from([1, 2.5])), "quantity": draw(st.sampled_from([1, 2]))}
                     for _ in range(draw(st.integers(0, 2)))]
            rows += ecommerce("order_completed", f"o{n}", when, anon, user, order_id=f"o{n % 3}",
                              total=float(draw(st.sampled_from([5, 10, 20]))), products=json.dumps(lines))
        elif kind == "cart":
            rows += ecommerce("product_added", f"c{n}", when, anon, user, cart_id=draw(st.sampled_from(["k1", "k2"])),
                              sku=draw(st.sampled_from("ab")))
        elif kind == "checkout":
            rows += ecommerce("checkout_step_completed", f"k{n}", when, anon, user,
                              payment_method=draw(st.sampled_from(["visa", "cod"])))
        else:
            rows.append(identify(f"i{n}", when, anon, user or USERS[0], gender=draw(st.sampled_from(["f", "m"])),
                                 context_campaign_source=draw(st.sampled_from(["g", "n"]))))
    return rows


def play(incremental: RudderModel, full: RudderModel, rows, batch_of, actions) -> None:
    stamped = [(table, {**row, "uuid_ts": LOAD0 + timedelta(minutes=b + 1)})
               for (table, row), b in zip(rows, batch_of, strict=True)]
    batches = [[r for r, b in zip(stamped, batch_of, strict=True) if b == i] for i in range(max(batch_of) + 1)]
    as_of = date(2024, 2, 28)
    with incremental.project.target() as target:
        lifecycle = incremental.lifecycle(target)
        for action, argument in actions:
            if action == "load":
                if batches:
                    incremental.load(batches.pop(0))
            elif action == "as_of":
                as_of = max(as_of, argument)             # the calendar only moves forward
            else:
                incremental.project.vars["features_as_of"] = as_of.isoformat()
                lifecycle.run(lifecycle.plan([argument], None if action == "run" else action))
        for batch in batches:
            incremental.load(batch)
        incremental.project.vars["features_as_of"] = as_of.isoformat()
        lifecycle.catch_up()
    full.load(stamped)
    full.project.vars["features_as_of"] = as_of.isoformat()
    full.run()
    assert incremental.snapshot() == full.snapshot()


def draw_case(data) -> tuple[list, list[int], list]:
    rows = data.draw(row_sets()) + data.draw(shop_rows())
    batch_of = data.draw(st.lists(st.integers(0, 3), min_size=len(rows), max_size=len(rows)))
    return rows, batch_of, data.draw(ACTIONS)


@settings(max_examples=examples(5), deadline=None, suppress_health_check=HEAVY_DRAWS)
@given(data=st.data())
def test_user_features_converge_on_duckdb(data):
    rows, batch_of, actions = draw_case(data)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        play(RudderModel(Path(a), {"type": "duckdb", "path": ".sluice/i.duckdb"}, variables=dict(VARIABLES)),
             RudderModel(Path(b), {"type": "duckdb", "path": ".sluice/f.duckdb"}, variables=dict(VARIABLES)),
             rows, batch_of, actions)


@pytest.fixture(scope="module")
def pg_features_db(pg_admin_dsn):
    from tests import pg

    with pg.fresh_database(pg_admin_dsn) as dsn:
        yield pg.target_settings(dsn)


def test_user_features_converge_on_postgres(pg_features_db, tmp_path_factory):
    @settings(max_examples=examples(3), deadline=None, suppress_health_check=HEAVY_DRAWS)
    @given(data=st.data())
    def converge(data):
        rows, batch_of, actions = draw_case(data)
        pair = [RudderModel(tmp_path_factory.mktemp("rs"), pg_features_db,
                            variables={**VARIABLES, "entropy": f"_{uuid.uuid4().hex[:8]}"}) for _ in range(2)]
        play(*pair, rows, batch_of, actions)

    converge()
