"""The RudderStack family on DuckDB and PostgreSQL: one small hand-written set of RudderStack
rows per case (mostly a hazard of incremental processing), loaded in the order the case needs, with
the expected mapping, sessions, facts and journeys written out by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.integration.rudder import MODULES, RudderModel, alias, at, call, identify, page, track

SESSIONS = "session_id, dbt_visitor_id, session_start_at, session_sequence_number, next_session_start_at"
FACTS = "event_id, session_id, dbt_visitor_id, track_sequence_number"
MAPPING = "alias, dbt_visitor_id, first_seen_at, last_seen_at, resolved_by_event_id"


#: the modules these cases check (input, identity, the two sessionizers, journeys); the
#: family's other modules have files of their own, and the properties run the whole family
CHECKED = ("rs_base", "rs_identity", "rs_sessions", "rs_journeys", "rs_activity_sessions")
OTHERS = {name: {"enabled": False} for name in MODULES if name not in CHECKED}


@pytest.fixture
def rs(project) -> RudderModel:
    return RudderModel(project.root, project.target_settings, modules=OTHERS)


def rs_with(project, **variables) -> RudderModel:
    return RudderModel(project.root, project.target_settings, variables=variables, modules=OTHERS)


def test_one_visitor_two_sessions_every_output(rs):
    rs.load([track("t1", at(0), "viewed_product"), track("t2", at(minutes=10), "added"),
             track("t3", at(minutes=50), "signup"), track("t4", at(minutes=52), "viewed_product")])
    rs.run()
    assert rs.table("dbt_aliases_mapping", MAPPING) == [("a1", "a1", at(0), at(minutes=52), None)]
    assert rs.table("dbt_mapped_tracks", "event_id, anonymous_id, dbt_visitor_id, timestamp, event, "
                    "idle_time_minutes, idle_time_seconds") == [
        ("t1", "a1", "a1", at(0), "viewed_product", None, None),
        ("t2", "a1", "a1", at(minutes=10), "added", 10, 600),
        ("t3", "a1", "a1", at(minutes=50), "signup", 40, 2400),
        ("t4", "a1", "a1", at(minutes=52), "viewed_product", 2, 120)]
    assert rs.table("dbt_session_tracks", SESSIONS) == [
        ("1 - a1", "a1", at(0), 1, at(minutes=50)), ("2 - a1", "a1", at(minutes=50), 2, None)]
    assert rs.table("dbt_track_facts", FACTS + ", anonymous_id, timestamp, event") == [
        ("t1", "1 - a1", "a1", 1, "a1", at(0), "viewed_product"),
        ("t2", "1 - a1", "a1", 2, "a1", at(minutes=10), "added"),
        ("t3", "2 - a1", "a1", 1, "a1", at(minutes=50), "signup"),
        ("t4", "2 - a1", "a1", 2, "a1", at(minutes=52), "viewed_product")]
    assert rs.table("dbt_session_track_facts", "session_id, ended_at, num_pvs, n_events, cnt_viewed_product, "
                    "cnt_signup") == [("1 - a1", at(minutes=10), 2, 2, 1, 0), ("2 - a1", at(minutes=52), 2, 2, 1, 1)]
    assert rs.table("dbt_user_session_facts", "dbt_visitor_id, first_date, last_date, number_of_sessions") == [
        ("a1", at(0), at(minutes=50), 2)]
    assert rs.table("dbt_session_duration", "dbt_visitor_id, session_id, session_duration, "
                    "session_duration_seconds") == [("a1", "1 - a1", 10, 600), ("a1", "2 - a1", 2, 120)]
    assert rs.table("dbt_tracks_flow", "event_id, session_id, track_sequence_number, event, dbt_visitor_id, "
                    "timestamp, event_2, event_3, event_4, event_5") == [
        ("t1", "1 - a1", 1, "viewed_product", "a1", at(0), "added", None, None, None),
        ("t2", "1 - a1", 2, "added", "a1", at(minutes=10), None, None, None, None),
        ("t3", "2 - a1", 1, "signup", "a1", at(minutes=50), "viewed_product", None, None, None),
        ("t4", "2 - a1", 2, "viewed_product", "a1", at(minutes=52), None, None, None, None)]
    assert rs.table("session_journeys", "session_id, dbt_visitor_id, session_start_at, event_1, event_2, event_3, "
                    "n_events") == [("1 - a1", "a1", at(0), "viewed_product", "added", None, 2),
                                    ("2 - a1", "a1", at(minutes=50), "signup", "viewed_product", None, 2)]


def test_a_late_event_bridges_two_sessions(rs):
    rs.load([track("t1", at(0), "viewed_product"), track("t2", at(minutes=10), "added"),
             track("t3", at(minutes=50), "signup"), track("t4", at(minutes=52), "viewed_product")])
    rs.run()
    rs.load([track("t5", at(minutes=30), "checkout")])     # 20 min after t2, 20 min before t3
    rs.run()
    assert rs.table("dbt_session_tracks", SESSIONS) == [("1 - a1", "a1", at(0), 1, None)]
    assert rs.table("dbt_track_facts", FACTS) == [
        ("t1", "1 - a1", "a1", 1), ("t2", "1 - a1", "a1", 2), ("t3", "1 - a1", "a1", 4),
        ("t4", "1 - a1", "a1", 5), ("t5", "1 - a1", "a1", 3)]
    assert rs.table("dbt_mapped_tracks", "event_id, idle_time_minutes") == [
        ("t1", None), ("t2", 10), ("t3", 20), ("t4", 2), ("t5", 20)]
    assert rs.table("dbt_session_track_facts", "session_id, ended_at, num_pvs, n_events, cnt_viewed_product, "
                    "cnt_signup") == [("1 - a1", at(minutes=52), 5, 5, 2, 1)]
    assert rs.table("dbt_user_session_facts", "dbt_visitor_id, first_date, last_date, number_of_sessions") == [
        ("a1", at(0), at(0), 1)]
    assert rs.table("dbt_tracks_flow", "event_id, event, event_2, event_3, event_4, event_5") == [
        ("t1", "viewed_product", "added", "checkout", "signup", "viewed_product"),
        ("t2", "added", "checkout", "signup", "viewed_product", None),
        ("t3", "signup", "viewed_product", None, None, None),
        ("t4", "viewed_product", None, None, None, None),
        ("t5", "checkout", "signup", "viewed_product", None, None)]
    assert rs.table("session_journeys", "session_id, event_1, event_5, n_events") == [
        ("1 - a1", "viewed_product", "viewed_product", 5)]


def test_a_late_event_before_the_first_session_renumbers_every_later_one(rs):
    rs.load([track("t1", at(0)), track("t2", at(minutes=10)), track("t3", at(hours=2)),
             track("o1", at(0), anon="other")])
    rs.run()
    rs.load([track("t0", at(hours=-2))])
    rs.run()
    assert rs.table("dbt_session_tracks", SESSIONS) == [
        ("1 - a1", "a1", at(hours=-2), 1, at(0)), ("1 - other", "other", at(0), 1, None),
        ("2 - a1", "a1", at(0), 2, at(hours=2)), ("3 - a1", "a1", at(hours=2), 3, None)]
    assert rs.table("dbt_track_facts", FACTS) == [
        ("o1", "1 - other", "other", 1), ("t0", "1 - a1", "a1", 1), ("t1", "2 - a1", "a1", 1),
        ("t2", "2 - a1", "a1", 2), ("t3", "3 - a1", "a1", 1)]
    assert rs.table("dbt_mapped_tracks", "event_id, idle_time_minutes") == [
        ("o1", None), ("t0", None), ("t1", 120), ("t2", 10), ("t3", 110)]
    assert rs.table("dbt_session_track_facts", "session_id, ended_at, n_events") == [
        ("1 - a1", at(hours=-2), 1), ("1 - other", at(0), 1), ("2 - a1", at(minutes=10), 2), ("3 - a1", at(hours=2), 1)]
    assert rs.table("dbt_user_session_facts", "dbt_visitor_id, first_date, last_date, number_of_sessions") == [
        ("a1", at(hours=-2), at(hours=2), 3), ("other", at(0), at(0), 1)]
    assert rs.table("dbt_tracks_flow", "event_id, session_id, track_sequence_number") == [
        ("o1", "1 - other", 1), ("t0", "1 - a1", 1), ("t1", "2 - a1", 1), ("t2", "2 - a1", 2), ("t3", "3 - a1", 1)]
    assert rs.table("session_journeys", "session_id, n_events") == [
        ("1 - a1", 1), ("1 - other", 1), ("2 - a1", 2), ("3 - a1", 1)]


def test_a_late_event_in_a_later_session_leaves_the_earlier_ones_alone(rs):
    rs.load([track("t1", at(0)), track("t2", at(hours=2)), track("t3", at(hours=4))])
    rs.run()
    rs.load([track("t4", at(hours=4, minutes=20))])
    rs.run()
    assert rs.table("dbt_session_tracks", SESSIONS) == [
        ("1 - a1", "a1", at(0), 1, at(hours=2)), ("2 - a1", "a1", at(hours=2), 2, at(hours=4)),
        ("3 - a1", "a1", at(hours=4), 3, None)]
    assert rs.table("dbt_session_track_facts", "session_id, ended_at, n_events") == [
        ("1 - a1", at(0), 1), ("2 - a1", at(hours=2), 1), ("3 - a1", at(hours=4, minutes=20), 2)]
    # the second run re-derived only the session the new event joined: t3 and t4
    assert rs.sql("SELECT rows_this_run, min_time_key FROM derived.datamodel_metadata WHERE module = 'rs_sessions' "
                  "AND rows_this_run > 0 ORDER BY run_start_tstamp")[-1] == (2, at(hours=4))


def test_an_identify_after_the_events_it_explains_moves_them(rs):
    rs.load([track("t1", at(0), anon="a1"), track("t2", at(minutes=5), anon="a1"),
             track("t3", at(minutes=20), anon="a2", user="u1")])
    rs.run()
    assert rs.table("dbt_session_tracks", "session_id, dbt_visitor_id") == [("1 - a1", "a1"), ("1 - u1", "u1")]
    rs.load([identify("i1", at(hours=-1), "a1", "u1")])      # loaded late, with an older timestamp
    rs.run()
    assert rs.table("dbt_aliases_mapping", MAPPING) == [
        ("a1", "u1", at(hours=-1), at(minutes=5), "i1"),
        ("a2", "u1", at(minutes=20), at(minutes=20), "t3"),
        ("u1", "u1", at(hours=-1), at(minutes=20), None)]
    assert rs.table("dbt_mapped_tracks", "event_id, anonymous_id, dbt_visitor_id, idle_time_minutes") == [
        ("t1", "a1", "u1", None), ("t2", "a1", "u1", 5), ("t3", "a2", "u1", 15)]
    assert rs.table("dbt_session_tracks", SESSIONS) == [("1 - u1", "u1", at(0), 1, None)]
    assert rs.table("dbt_track_facts", FACTS) == [
        ("t1", "1 - u1", "u1", 1), ("t2", "1 - u1", "u1", 2), ("t3", "1 - u1", "u1", 3)]
    assert rs.table("dbt_session_track_facts", "session_id, n_events") == [("1 - u1", 3)]
    assert rs.table("dbt_user_session_facts", "dbt_visitor_id, number_of_sessions") == [("u1", 1)]
    assert rs.table("dbt_tracks_flow", "event_id, session_id, dbt_visitor_id") == [
        ("t1", "1 - u1", "u1"), ("t2", "1 - u1", "u1"), ("t3", "1 - u1", "u1")]
    assert rs.table("session_journeys", "session_id, dbt_visitor_id, n_events") == [("1 - u1", "u1", 3)]


def test_an_alias_after_the_events_it_explains_moves_them(rs):
    rs.load([track("t1", at(0), anon="old-id"), track("t2", at(hours=3), anon="d2", user="u2")])
    rs.run()
    rs.load([alias("al1", at(hours=1), previous="old-id", user="u2")])
    rs.run()
    assert rs.table("dbt_aliases_mapping", MAPPING) == [
        ("d2", "u2", at(hours=3), at(hours=3), "t2"),
        ("old-id", "u2", at(0), at(hours=1), "al1"),
        ("u2", "u2", at(hours=1), at(hours=3), None)]
    assert rs.table("dbt_session_tracks", SESSIONS) == [
        ("1 - u2", "u2", at(0), 1, at(hours=3)), ("2 - u2", "u2", at(hours=3), 2, None)]
    assert rs.table("dbt_user_session_facts", "dbt_visitor_id, first_date, last_date, number_of_sessions") == [
        ("u2", at(0), at(hours=3), 2)]


@pytest.mark.parametrize(("resolution", "expected"), [
    ("last", [("d1", "u2", "s2")]),
    ("first", [("d1", "u1", "s1")]),
])
def test_a_shared_device_follows_its_latest_user_or_its_first(project, resolution, expected):
    rs = RudderModel(project.root, project.target_settings,
                     modules={**OTHERS, "rs_identity": {"vars": {"alias_resolution": resolution}}})
    rs.load([track("s1", at(0), anon="d1", user="u1"), track("n1", at(hours=1), anon="d1")])
    rs.run()
    assert rs.table("dbt_mapped_tracks", "event_id, dbt_visitor_id") == [("n1", "u1"), ("s1", "u1")]
    rs.load([track("s2", at(hours=5), anon="d1", user="u2")])
    rs.run()
    assert rs.table("dbt_aliases_mapping", "alias, dbt_visitor_id, resolved_by_event_id", "alias") == [
        *expected, ("u1", "u1", None), ("u2", "u2", None)]
    anonymous_visitor = expected[0][1]
    assert rs.table("dbt_mapped_tracks", "event_id, dbt_visitor_id") == [
        ("n1", anonymous_visitor), ("s1", "u1"), ("s2", "u2")]
    sessions = {"u1": [("1 - u1", "u1", at(0), 1, None)],
                "u2": [("1 - u2", "u2", at(hours=1), 1, at(hours=5)), ("2 - u2", "u2", at(hours=5), 2, None)]}
    if resolution == "first":
        sessions = {"u1": [("1 - u1", "u1", at(0), 1, at(hours=1)), ("2 - u1", "u1", at(hours=1), 2, None)],
                    "u2": [("1 - u2", "u2", at(hours=5), 1, None)]}
    assert rs.table("dbt_session_tracks", SESSIONS) == sorted(sessions["u1"] + sessions["u2"])


def test_a_copy_received_earlier_but_loaded_later_replaces_the_kept_one(rs):
    rs.load([track("t1", at(0), received_at=at(5)), track("t2", at(minutes=10))])
    rs.run()
    assert rs.table("dbt_session_tracks", "session_id, session_start_at") == [("1 - a1", at(0))]
    # a retry received before the kept copy, with another computed timestamp, loaded later
    rs.load([track("t1", at(hours=-1), received_at=at(1)),
             track("t2", at(hours=5), received_at=at(minutes=20))])      # received later: ignored
    rs.run()
    assert rs.table("dbt_mapped_tracks", "event_id, timestamp, idle_time_minutes") == [
        ("t1", at(hours=-1), None), ("t2", at(minutes=10), 70)]
    assert rs.table("dbt_session_tracks", SESSIONS) == [
        ("1 - a1", "a1", at(hours=-1), 1, at(minutes=10)), ("2 - a1", "a1", at(minutes=10), 2, None)]
    assert rs.table("dbt_track_facts", FACTS) == [("t1", "1 - a1", "a1", 1), ("t2", "2 - a1", "a1", 1)]


def test_copies_in_one_load_keep_the_one_received_first_and_are_counted(rs):
    rs.load([track("t1", at(minutes=3), "added", received_at=at(9)), track("t1", at(0), "viewed_product",
                                                                           received_at=at(2))])
    rs.run()
    assert rs.table("dbt_mapped_tracks", "event_id, timestamp, event") == [("t1", at(0), "viewed_product")]
    assert rs.sql("SELECT duplicate_rows_removed FROM derived.datamodel_metadata "
                  "WHERE module = 'rs_base' AND rows_this_run > 0")[0][0] == 1


def test_a_session_across_midnight_is_one_session_started_the_day_before(rs):
    late = datetime(2024, 3, 1, 23, 50)
    rs.load([track("t1", late), track("t2", datetime(2024, 3, 2, 0, 10))])
    rs.run()
    assert rs.table("dbt_session_tracks", SESSIONS) == [("1 - a1", "a1", late, 1, None)]
    assert rs.table("dbt_user_session_facts", "first_date, last_date, number_of_sessions") == [(late, late, 1)]
    assert rs.table("dbt_session_duration", "session_duration, session_duration_seconds") == [(20, 1200)]


def test_gaps_of_exactly_the_cutoff_and_one_millisecond_more(rs):
    rs.load([track("t1", at(0)), track("t2", at(minutes=30)), track("t3", at(minutes=60, ms=1))])
    rs.run()
    assert rs.table("dbt_mapped_tracks", "event_id, idle_time_minutes, idle_time_seconds") == [
        ("t1", None, None), ("t2", 30, 1800), ("t3", 30, 1800.001)]
    assert rs.table("dbt_track_facts", FACTS) == [
        ("t1", "1 - a1", "a1", 1), ("t2", "1 - a1", "a1", 2), ("t3", "2 - a1", "a1", 1)]
    assert rs.table("dbt_session_duration", "session_id, session_duration, session_duration_seconds") == [
        ("1 - a1", 30, 1800), ("2 - a1", 0, 0)]


def test_the_seed_gap_rule_counts_whole_minutes(project):
    rs = RudderModel(project.root, project.target_settings,
                     modules={**OTHERS, "rs_sessions": {"vars": {"session_gap_rule": "bq_minutes"}}})
    # 30 min 59.999 s is 30 whole minutes (same session); 31 min starts one
    rs.load([track("t1", at(0)), track("t2", at(minutes=30, seconds=59, ms=999)),
             track("t3", at(minutes=61, seconds=59, ms=999))])
    rs.run()
    assert rs.table("dbt_track_facts", "event_id, session_id") == [
        ("t1", "1 - a1"), ("t2", "1 - a1"), ("t3", "2 - a1")]


def test_a_table_appearing_mid_history_brings_its_backlog(rs):
    rs.load([track("t1", at(0), anon="a1"), track("t2", at(minutes=50), anon="a1")])
    rs.run()
    assert rs.table("rs_activity_session_tracks", "session_id") == [("1 - a1",), ("2 - a1",)]
    # pages and identifies appear only now, with rows from the start of history
    rs.load([page("p1", at(minutes=25), anon="a1", name="Home"), identify("i1", at(hours=-3), "a1", "u1")])
    rs.run()
    assert rs.table("dbt_mapped_tracks", "event_id, dbt_visitor_id") == [("t1", "u1"), ("t2", "u1")]
    # tracks alone: two sessions; tracks and pages: the page bridges them
    assert rs.table("dbt_session_tracks", "session_id, session_start_at") == [
        ("1 - u1", at(0)), ("2 - u1", at(minutes=50))]
    assert rs.table("rs_activity_track_facts", "event_id, session_id, track_sequence_number, event_type") == [
        ("p1", "1 - u1", 2, "page"), ("t1", "1 - u1", 1, "track"), ("t2", "1 - u1", 3, "track")]
    assert rs.table("rs_activity_user_session_facts", "dbt_visitor_id, number_of_sessions") == [("u1", 1)]


def test_missing_columns_read_as_null(rs):
    # tracks with neither anonymous_id nor event_text nor any context; pages without a name
    rs.load([call("tracks", "t1", at(0), None, "u1", event="signup"),
             call("tracks", "t2", at(minutes=5), None, "u1", event="viewed_product")])
    rs.load([call("pages", "p1", at(minutes=1), None, "u1")])
    rs.run()
    assert "anonymous_id" not in rs.sql("SELECT column_name FROM information_schema.columns "
                                        "WHERE table_name = 'tracks'")
    assert rs.table("dbt_track_facts", "event_id, session_id, anonymous_id, event") == [
        ("t1", "1 - u1", None, "signup"), ("t2", "1 - u1", None, "viewed_product")]
    assert rs.table("dbt_session_track_facts", "cnt_signup, cnt_viewed_product") == [(1, 1)]
    assert rs.table("rs_activity_track_facts", "event_id, event_type") == [
        ("p1", "page"), ("t1", "track"), ("t2", "track")]
    # a column that appears in a later load (anonymous_id now) is read from then on
    rs.load([track("t3", at(minutes=7), anon="d9", user="u1")])
    rs.run()
    assert rs.table("dbt_mapped_tracks", "event_id, anonymous_id, dbt_visitor_id") == [
        ("t1", None, "u1"), ("t2", None, "u1"), ("t3", "d9", "u1")]
    assert rs.table("dbt_aliases_mapping", "alias, dbt_visitor_id") == [("d9", "u1"), ("u1", "u1")]


def test_rows_with_neither_id_are_dropped_and_counted(rs):
    rs.load([track("t1", at(0)), call("tracks", "server1", at(minutes=1), None, None, event="order_completed")])
    rs.run()
    assert rs.table("dbt_mapped_tracks", "event_id") == [("t1",)]
    assert rs.sql("SELECT rows_dropped FROM derived.datamodel_metadata "
                  "WHERE module = 'rs_base' AND rows_this_run > 0")[0][0] == 1


def test_start_date_leaves_out_earlier_events_in_every_run(project):
    rs = RudderModel(project.root, project.target_settings,
                     modules={**OTHERS, "rs_base": {"vars": {"start_date": "2024-03-01 10:00:00"}}})
    rs.load([track("t1", at(0)), track("t0", at(minutes=-1))])
    rs.run()
    # a retry received earlier moves t1 before start_date: it is dropped downstream
    rs.load([track("t1", at(minutes=-2), received_at=at(-30))])
    rs.run()
    assert rs.table("dbt_mapped_tracks", "event_id") == []
    assert rs.table("dbt_session_tracks", "session_id") == []
    assert rs.table("dbt_user_session_facts", "dbt_visitor_id") == []


def test_identity_rules(rs):
    rs.load([
        track("t1", at(0), anon="d1"),                                # d1 alone: maps to itself
        identify("i1", at(1), "d2", "u1"),                            # d2 -> u1
        identify("i2", at(2), "d2", "u2"),                            # d2 -> u2 (latest wins)
        alias("al1", at(3), previous="crm-7", user="u2"),            # previous_id -> user_id
        alias("al2", at(4), previous="u1", user="u3"),                # u1 was a user_id: stays itself
        identify("i3", at(5), "u4", "u4"),                            # an id used as both
    ])
    rs.run()
    assert rs.table("dbt_aliases_mapping", MAPPING) == [
        ("crm-7", "u2", at(3), at(3), "al1"),
        ("d1", "d1", at(0), at(0), None),
        ("d2", "u2", at(1), at(2), "i2"),
        ("u1", "u1", at(1), at(4), None),
        ("u2", "u2", at(2), at(3), None),
        ("u3", "u3", at(4), at(4), None),
        ("u4", "u4", at(5), at(5), None)]


def test_identity_ties_go_to_the_larger_row_id(rs):
    rs.load([identify("i1", at(0), "d1", "u1"), identify("i2", at(0), "d1", "u2")])
    rs.run()
    assert rs.table("dbt_aliases_mapping", "alias, dbt_visitor_id, resolved_by_event_id", "alias") == [
        ("d1", "u2", "i2"), ("u1", "u1", None), ("u2", "u2", None)]


def test_seed_parity_identity_from_tracks_only(project):
    rs = RudderModel(project.root, project.target_settings,
                     modules={**OTHERS, "rs_base": {"vars": {"alias_sources": ["tracks"]}}})
    rs.load([track("t1", at(0), anon="d1"), identify("i1", at(1), "d1", "u1")])
    rs.run()
    assert rs.table("dbt_aliases_mapping", "alias, dbt_visitor_id") == [("d1", "d1")]
    assert rs.table("dbt_mapped_tracks", "event_id, dbt_visitor_id") == [("t1", "d1")]


def test_ties_in_time_are_ordered_by_event_id(rs):
    rs.load([track("b", at(0), "second"), track("a", at(0), "first"), track("c", at(0), "third")])
    rs.run()
    assert rs.table("dbt_track_facts", "event_id, track_sequence_number") == [("a", 1), ("b", 2), ("c", 3)]
    assert rs.table("dbt_tracks_flow", "event_id, event, event_2, event_3") == [
        ("a", "first", "second", "third"), ("b", "second", "third", None), ("c", "third", None, None)]


def test_journeys_in_the_seed_prefix_mode_and_another_length(project):
    rs = RudderModel(project.root, project.target_settings,
                     modules={**OTHERS, "rs_journeys": {"vars": {"journey_mode": "seed_prefix", "journey_length": 3}}})
    rs.load([track(f"t{i}", at(minutes=i), name) for i, name in enumerate(["a", "b", "c", "d"], 1)])
    rs.run()
    assert rs.table("dbt_tracks_flow", "event_id, track_sequence_number, event, event_2, event_3") == [
        ("t1", 1, "a", None, None), ("t2", 2, "a", "b", None), ("t3", 3, "a", "b", "c"), ("t4", 4, "a", "b", "c")]
    assert "event_4" not in [r[0] for r in rs.sql("SELECT column_name FROM information_schema.columns "
                                                  "WHERE table_name = 'dbt_tracks_flow'")]
    assert rs.table("session_journeys", "event_1, event_2, event_3, n_events") == [("a", "b", "c", 4)]


def test_hashed_session_ids_and_own_counters(project):
    rs = RudderModel(project.root, project.target_settings, modules={**OTHERS, "rs_sessions": {"vars": {
        "session_id_format": "hash", "session_event_counters": {"cnt_added": "added"}}}})
    rs.load([track("t1", at(0), "added"), track("t2", at(minutes=1), "added")])
    rs.run()
    (session_id,) = rs.table("dbt_session_tracks", "session_id")[0]
    assert len(session_id) == 32
    assert rs.table("dbt_session_track_facts", "session_id, cnt_added") == [(session_id, 2)]


def test_top_users_by_average_session_length_longest_first(rs):
    rs.load([track("a1", at(0), anon="short"), track("a2", at(minutes=1), anon="short"),
             track("b1", at(0), anon="long"), track("b2", at(minutes=20), anon="long"),
             track("b3", at(hours=3), anon="long")])
    rs.run()
    assert rs.sql("SELECT dbt_visitor_id, n_sessions, avg_session_duration_minutes, avg_session_duration_seconds "
                  "FROM derived.dbt_top_users_by_avg_session_duration") == [
        ("long", 2, 10.0, 600.0), ("short", 1, 1.0, 60.0)]


def test_the_second_sessionizer_has_its_own_tables_and_changes(rs):
    rs.load([track("t1", at(0)), page("p1", at(minutes=25)), track("t2", at(minutes=50))])
    rs.run()
    assert rs.table("dbt_session_tracks", "session_id, session_start_at") == [
        ("1 - a1", at(0)), ("2 - a1", at(minutes=50))]
    assert rs.table("rs_activity_session_tracks", "session_id, session_start_at") == [("1 - a1", at(0))]
    assert rs.table("rs_activity_session_track_facts", "session_id, num_pvs, n_events") == [("1 - a1", 3, 3)]
    assert rs.exists("rs_activity_session_duration")


def test_the_sessionizers_run_before_identity_ever_ran_then_catch_up(rs):
    rs.load([track("t1", at(0), anon="d1"), identify("i1", at(1), "d1", "u1")])
    rs.run("rs_base", "rs_sessions", "rs_activity_sessions")     # no mapping, no remaps table yet
    assert rs.table("dbt_mapped_tracks", "event_id, dbt_visitor_id") == [("t1", "d1")]
    rs.run()
    assert rs.table("dbt_mapped_tracks", "event_id, dbt_visitor_id") == [("t1", "u1")]
    assert rs.table("rs_activity_mapped_tracks", "event_id, dbt_visitor_id") == [("t1", "u1")]
    assert rs.table("dbt_tracks_flow", "event_id, session_id") == [("t1", "1 - u1")]
