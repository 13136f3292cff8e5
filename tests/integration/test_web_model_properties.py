"""The web model converges: random sessions (page views, pings, duplicated event ids with the
same and with different timestamps, page view ids reused in a later session by a tab left
open) loaded in random batches, with random module runs and complete replays in between, end
equal to one full run over all the events."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sluice.lifecycle.engine import Lifecycle
from sluice.output import Reporter
from tests.integration.web import WebModel, at, ev
from tests.properties import examples

MODULES = ("base", "page_views", "sessions", "users")
#: a load; every module run in order (a scheduler's tick); one module's main, complete or both
ACTIONS = st.lists(st.one_of(st.just(("load", None)), st.just(("run", None)),
                             st.tuples(st.sampled_from(["main", "complete", "run"]), st.sampled_from(MODULES))),
                   min_size=1, max_size=12)


@st.composite
def event_sets(draw) -> list[dict]:
    """Up to three sessions of two users within one hour, so every session is shorter than
    days_late_allowed. A session may carry pings of a page view of an earlier session (its tab
    left open past the session timeout), before or among its own page views."""
    events, n, earlier_page_views = [], 0, []
    for s in range(draw(st.integers(1, 3))):
        clock = draw(st.integers(0, 1800))
        session, page_views = {"session": f"s{s}", "user": f"u{s % 2}"}, []
        for p in range(draw(st.integers(1, 3))):
            pv = f"s{s}p{p}"
            page_views.append(pv)
            reused = draw(st.sampled_from([None, *earlier_page_views]))
            if reused is not None:
                for _ in range(draw(st.integers(1, 2))):
                    clock += draw(st.integers(3, 15))
                    n += 1
                    events.append(ev(f"e{n}", "page_ping", at(clock), pv=reused,
                                     pp_yoffset_max=draw(st.integers(0, 5000)), **session))
            n += 1
            events.append(ev(f"e{n}", "page_view", at(clock), pv=pv, page_urlpath=f"/{p}", **session))
            for _ in range(draw(st.integers(0, 3))):
                clock += draw(st.integers(3, 15))
                n += 1
                events.append(ev(f"e{n}", "page_ping", at(clock), pv=pv,
                                 pp_yoffset_max=draw(st.integers(0, 5000)), **session))
            clock += draw(st.integers(1, 120))
        earlier_page_views += page_views
    for original in draw(st.lists(st.sampled_from(events), max_size=3)):
        shift = draw(st.sampled_from([0, 0, 7]))           # same or a different collector_tstamp
        events.append({**original, "collector_tstamp": at(shift) if shift else original["collector_tstamp"]})
    return events


def play(incremental: WebModel, full: WebModel, events, batch_of, actions) -> None:
    batches = [[e for e, b in zip(events, batch_of, strict=True) if b == i] for i in range(max(batch_of) + 1)]
    with incremental.project.target() as target:
        lifecycle = Lifecycle(incremental.project, target, {}, Reporter()).open()
        for action, module in actions:
            if action == "load":
                if batches:
                    incremental.insert(batches.pop(0))
            else:
                lifecycle.run(lifecycle.plan([module] if module else [], None if action == "run" else action))
        for batch in batches:
            incremental.insert(batch)
        lifecycle.catch_up()
    full.insert(events)
    full.run()
    assert incremental.snapshot() == full.snapshot()



CASE = st.data()


def draw_case(data) -> tuple[list[dict], list[int], list]:
    """Events, the batch each arrives in, and the module runs in between. Events arrive one by
    one in any order, or whole sessions at a time, as loads bring them in practice (a session
    whose pings carry an earlier session's page view id then arrives after that session)."""
    events = data.draw(event_sets())
    if data.draw(st.booleans()):
        batch_of = data.draw(st.lists(st.integers(0, 3), min_size=len(events), max_size=len(events)))
    else:
        sessions = sorted({e["domain_sessionid"] for e in events})
        load_of = data.draw(st.lists(st.integers(0, 3), min_size=len(sessions), max_size=len(sessions)))
        batch_of = [load_of[sessions.index(e["domain_sessionid"])] for e in events]
    return events, batch_of, data.draw(ACTIONS)


@settings(max_examples=examples(8), deadline=None)
@given(data=CASE)
def test_web_model_converges_on_duckdb(data):
    events, batch_of, actions = draw_case(data)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        incremental = WebModel(Path(a), {"type": "duckdb", "path": ".sluice/i.duckdb"})
        full = WebModel(Path(b), {"type": "duckdb", "path": ".sluice/f.duckdb"})
        play(incremental, full, events, batch_of, actions)


@pytest.fixture(scope="module")
def pg_web_db(pg_admin_dsn):
    from tests import pg

    with pg.fresh_database(pg_admin_dsn) as dsn:
        yield pg.target_settings(dsn)


def test_web_model_converges_on_postgres(pg_web_db, tmp_path_factory):
    @settings(max_examples=examples(4), deadline=None)
    @given(data=CASE)
    def converge(data):
        events, batch_of, actions = draw_case(data)
        pair = []
        for _ in range(2):   # one database; each model its own tables through `entropy`
            entropy = f"_{uuid.uuid4().hex[:8]}"
            pair.append(WebModel(tmp_path_factory.mktemp("web"), pg_web_db, variables={"entropy": entropy}))
        play(*pair, events, batch_of, actions)

    converge()
