"""growth_mart on DuckDB and PostgreSQL: one hand-written case per attribution rule,
with every expected row worked out by hand from the rules, the rule table edited by the
user, and the seed's rule set (`attribution_mode: seed`)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.cli import invoke
from tests.integration.growth import GrowthModel, at, registration, session

JUNE, JULY = date(2020, 6, 1), date(2020, 7, 1)
MART = "registration_month, channel_name, registrations, avg_hours_to_convert, share_of_month"

#: user -> (sessions, registrations), one per rule or boundary
CASES = {
    1: ([session(1, at(0), "PAID SEARCH", True)], [at(2)]),                          # paid click 2 h before
    2: ([session(2, at(0), "PAID SOCIAL", True)], [at(3)]),                          # paid search too; 3 h is in
    3: ([session(3, at(0), "PAID SEARCH", True)], [at(3, seconds=36)]),              # 3 h 36 s: not live
    4: ([session(4, at(0), "IMPRESSION", True)], [at(minutes=30)]),                  # impression 30 min before
    5: ([session(5, at(0), "ORGANIC SEARCH"), session(5, at(9), "PAID SEARCH", True)], [at(10)]),  # paid beats organic
    6: ([session(6, at(0), "IMPRESSION", True), session(6, at(1), "ORGANIC SEARCH")], [at(2)]),    # impression stale
    7: ([session(7, at(0), "DIRECT")], [at(20)]),                                     # no live session, last is direct
    8: ([session(8, at(0), "DIRECT"), session(8, at(1), "REFERRAL")], [at(5)]),      # last session is not direct
    9: ([session(9, at(6), "REFERRAL")], [at(5)]),                                    # only a session after it
    10: ([session(10, at(0), "PAID SEARCH", True), session(10, at(1), "PAID SEARCH", True)], [at(2)]),  # the latest
    11: ([session(11, at(0), " paid search", True)], [at(1)]),                       # case and spaces ignored
    12: ([session(12, at(0), "ORGANIC SEARCH")], [at(0)]),                           # a session at the registration
    13: ([session(13, datetime(2020, 7, 1), "DIRECT")], [datetime(2020, 7, 1, 6)]),  # July
}


def load_cases(model: GrowthModel, cases: dict) -> None:
    model.load(sessions=[s for sessions, _ in cases.values() for s in sessions],
               conversions=[registration(user, when) for user, (_, whens) in cases.items() for when in whens])


@pytest.fixture
def growth(project) -> GrowthModel:
    return GrowthModel(project.root, project.target_settings)


def test_each_rule_attributes_its_registration(growth):
    load_cases(growth, CASES)
    growth.run()
    assert growth.attribution() == [
        (1, at(2), "PAID_SEARCH", "PAID SEARCH", 2, "live_session"),
        (2, at(3), "PAID_SEARCH", "PAID SOCIAL", 3, "live_session"),
        (3, at(3, seconds=36), "OTHERS", "PAID SEARCH", 3.01, "last_session"),
        (4, at(minutes=30), "PAID_IMPRESSION", "IMPRESSION", 0.5, "live_session"),
        (5, at(10), "PAID_SEARCH", "PAID SEARCH", 1, "live_session"),
        (6, at(2), "ORGANIC_SEARCH", "ORGANIC SEARCH", 1, "live_session"),
        (7, at(20), "DIRECT", "DIRECT", 20, "last_session"),
        (8, at(5), "OTHERS", "REFERRAL", 4, "last_session"),
        (9, at(5), "UNATTRIBUTED", None, None, "no_session"),
        (10, at(2), "PAID_SEARCH", "PAID SEARCH", 1, "live_session"),
        (11, at(1), "PAID_SEARCH", " paid search", 1, "live_session"),
        (12, at(0), "ORGANIC_SEARCH", "ORGANIC SEARCH", 0, "live_session"),
        (13, datetime(2020, 7, 1, 6), "DIRECT", "DIRECT", 6, "last_session"),
    ]
    # June: 12 registrations; PAID_SEARCH users 1, 2, 5, 10, 11 (2 + 3 + 1 + 1 + 1 hours)
    assert growth.table("mart_channel_attribution", MART, "registration_month, channel_name") == [
        (JUNE, "DIRECT", 1, 20, 1 / 12),
        (JUNE, "ORGANIC_SEARCH", 2, 0.5, 2 / 12),
        (JUNE, "OTHERS", 2, 3.505, 2 / 12),
        (JUNE, "PAID_IMPRESSION", 1, 0.5, 1 / 12),
        (JUNE, "PAID_SEARCH", 5, 1.6, 5 / 12),
        (JUNE, "UNATTRIBUTED", 1, None, 1 / 12),
        (JULY, "DIRECT", 1, 6, 1),
    ]
    # the credited session is the one the rule names (user 10: the later of two paid clicks)
    (credited,) = growth.sql("SELECT f.session_start_time FROM derived.fact_registration_attribution AS a "
                             "JOIN derived.fact_sessions AS f ON f.session_sk = a.attributed_session_sk "
                             "WHERE a.user_id = 10")
    assert credited[0] == at(1)


def test_an_edited_rule_table_reattributes_every_registration(growth):
    load_cases(growth, {8: CASES[8], 9: CASES[9], 7: CASES[7]})
    growth.run()
    assert growth.table("attribution_rules", "channel_name, medium, window_hours, priority", "priority, medium") == [
        ("PAID_SEARCH", "PAID SEARCH", 3, 1), ("PAID_SEARCH", "PAID SOCIAL", 3, 1),
        ("PAID_IMPRESSION", "IMPRESSION", 1, 2), ("ORGANIC_SEARCH", "ORGANIC SEARCH", 12, 3)]
    # the user's own rule: a referral within 6 hours, before every other class
    growth.sql("INSERT INTO derived.attribution_rules (channel_name, medium, window_hours, priority) "
               "VALUES ('REFERRAL_CLICK', 'REFERRAL', 6, 0)")
    growth.load(sessions=[session(20, at(days=2), "DIRECT")], conversions=[registration(20, at(days=2, hours=1))])
    growth.run()
    assert growth.attribution() == [
        (7, at(20), "DIRECT", "DIRECT", 20, "last_session"),
        (8, at(5), "REFERRAL_CLICK", "REFERRAL", 4, "live_session"),       # 4 h after the referral: live now
        (9, at(5), "UNATTRIBUTED", None, None, "no_session"),              # its referral came after it
        (20, at(days=2, hours=1), "DIRECT", "DIRECT", 1, "last_session"),
    ]
    assert growth.table("mart_channel_attribution", MART, "channel_name") == [
        (JUNE, "DIRECT", 2, 10.5, 0.5), (JUNE, "REFERRAL_CLICK", 1, 4, 0.25), (JUNE, "UNATTRIBUTED", 1, None, 0.25)]


SEED_CASES = {
    1: ([session(1, at(0), "PAID SEARCH", True)], [at(2)]),                          # PAID_SEARCH
    2: ([session(2, at(0), "PAID SOCIAL", True)], [at(1)]),                          # not one of the four: OTHERS
    3: ([session(3, at(0), "DIRECT")], [at(30)]),                                     # DIRECT has no window
    4: ([session(4, at(0), "PAID SEARCH", True)], [at(5)]),                          # outside every class: dropped
    5: ([session(5, at(0), "REFERRAL"), session(5, at(47), "PAID SEARCH", True)],   # claimed by PAID_SEARCH: the
        [at(1), at(48)]),                                                             # first registration is dropped
    6: ([], [at(1)]),                                                                 # no session: dropped
    7: ([session(7, at(0), "DIRECT"), session(7, at(1), "ORGANIC SEARCH")], [at(2)]),  # organic before direct
    8: ([session(8, at(0), "IMPRESSION", True)], [at(2)]),                           # impression stale: dropped
}


def test_seed_mode_reproduces_the_seed_rules(project):
    growth = GrowthModel(project.root, project.target_settings,
                         modules={"growth_mart": {"vars": {"attribution_mode": "seed"}}})
    load_cases(growth, SEED_CASES)
    growth.run()
    assert growth.attribution() == [
        (1, at(2), "PAID_SEARCH", "PAID SEARCH", 2, "seed_class"),
        (2, at(1), "OTHERS", "PAID SOCIAL", 1, "seed_class"),
        (3, at(30), "DIRECT", "DIRECT", 30, "seed_class"),
        (5, at(48), "PAID_SEARCH", "PAID SEARCH", 1, "seed_class"),
        (7, at(2), "ORGANIC_SEARCH", "ORGANIC SEARCH", 1, "seed_class"),
    ]
    assert growth.table("mart_channel_attribution", MART, "channel_name") == [
        (JUNE, "DIRECT", 1, 30, 0.2), (JUNE, "ORGANIC_SEARCH", 1, 1, 0.2), (JUNE, "OTHERS", 1, 1, 0.2),
        (JUNE, "PAID_SEARCH", 2, 1.5, 0.4)]


def test_a_full_refresh_applies_an_edited_rule_table_at_once_and_keeps_it(growth):
    load_cases(growth, {8: CASES[8], 7: CASES[7]})
    growth.run()
    growth.sql("UPDATE derived.attribution_rules SET window_hours = 24 WHERE medium = 'ORGANIC SEARCH'")
    growth.sql("INSERT INTO derived.attribution_rules (channel_name, medium, window_hours, priority) "
               "VALUES ('DIRECT_VISIT', 'DIRECT', 24, 4)")
    growth.run()                                                   # no new data: nothing to redo yet
    assert [row[2] for row in growth.attribution()] == ["DIRECT", "OTHERS"]
    result = invoke(growth.root, "run", "--full-refresh", "growth_mart")
    assert result.returncode == 0, result.stderr
    # both direct sessions are now live: 20 h and 5 h before their registrations
    assert growth.attribution() == [(7, at(20), "DIRECT_VISIT", "DIRECT", 20, "live_session"),
                                    (8, at(5), "DIRECT_VISIT", "DIRECT", 5, "live_session")]
    assert growth.table("attribution_rules", "channel_name, medium, window_hours", "priority, medium")[-1] == (
        "DIRECT_VISIT", "DIRECT", 24)
