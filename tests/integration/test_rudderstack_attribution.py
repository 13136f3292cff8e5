"""rs_web_attribution on DuckDB and PostgreSQL: hand-written RudderStack rows per case, loaded in
the order the case needs, with every expected row worked out by hand."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.integration.rudder import MODULES, RudderModel, at, call, identify, order, page
from tests.integration.test_rudderstack_properties import play
from tests.properties import HEAVY_DRAWS, examples

GOOGLE = {"context_page_referrer": "https://www.google.com/search?q=boots"}
FACEBOOK = {"context_page_referrer": "https://www.facebook.com/"}
DIRECT = {"context_page_referrer": "$direct"}
NEWSLETTER = {"context_campaign_source": "newsletter", "context_campaign_medium": "email"}
TOUCHES = ("conversion_id, session_id, channel, touch_index, touches_in_path, first_touch_credit, last_touch_credit, "
           "linear_credit, first_touch_revenue, last_touch_revenue, linear_revenue")
BY_CHANNEL = ("conversion_date, channel, currency, touches, first_touch_credit, last_touch_credit, linear_credit, "
              "first_touch_revenue, last_touch_revenue, linear_revenue")
D0 = date(2024, 3, 1)


def sid(anonymous_id: str, number: int) -> str:
    """A session's id by the rule: the MD5 of the device and the session's number."""
    return hashlib.md5(f"{anonymous_id}/{number}".encode()).hexdigest()


class AttributionModel(RudderModel):
    def table(self, name: str, columns: str, order: str | None = None) -> list[tuple]:
        """Rows in Python's order, whatever the database's collation does with '(none)'."""
        return sorted(super().table(name, columns, order), key=repr)


@pytest.fixture
def rs(project) -> AttributionModel:
    return AttributionModel(project.root, project.target_settings)


def test_page_views_sessions_and_stitching(rs):
    rs.load([
        page("p1", at(0), anon="a1", context_page_url="https://Shop.example:8443/p?gclid=G1&x=1#top",
             context_page_path="/p", context_page_search="?gclid=G1&x=1", **GOOGLE,
             context_user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"),
        page("p2", at(minutes=5, seconds=30), anon="a1", context_page_url="https://shop.example/cart"),
        page("p3", at(minutes=40), anon="a1", **DIRECT),              # 34.5 min after p2: a session of its own
        page("q1", at(0), anon="b1", context_page_referrer="https://t.co/xyz",
             context_user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8)"),
        call("pages", "n1", at(0), None, "u9"),                       # no device: no page view
    ])
    rs.run()
    assert rs.table("web_page_views", "page_view_id, anonymous_id, tstamp, page_url_host, page_url_path, "
                    "page_url_query, referrer_host, gclid, device, device_category") == [
        ("p1", "a1", at(0), "shop.example", "/p", "?gclid=G1&x=1", "google.com", "G1", "iPhone", "iPhone"),
        ("p2", "a1", at(minutes=5, seconds=30), "shop.example", None, None, None, None, None, "Uncategorized"),
        ("p3", "a1", at(minutes=40), None, None, None, None, None, None, "Uncategorized"),
        ("q1", "b1", at(0), None, None, None, "t.co", None, "Android", "Android")]
    assert rs.table("web_page_views__sessionized", "page_view_id, page_view_number, session_number, session_id") == [
        ("p1", 1, 1, sid("a1", 1)), ("p2", 2, 1, sid("a1", 1)), ("p3", 3, 2, sid("a1", 2)), ("q1", 1, 1, sid("b1", 1))]
    assert rs.table("web_sessions__initial", "session_id, anonymous_id, session_start_tstamp, session_end_tstamp, "
                    "page_views, first_page_url_host, last_page_url, referrer_host, device_category, duration_in_s, "
                    "duration_in_s_tier, referrer_medium, referrer_source, channel") == sorted([
        (sid("a1", 1), "a1", at(0), at(minutes=5, seconds=30), 2, "shop.example", "https://shop.example/cart",
         "google.com", "iPhone", 330, "60s or more", "search", "Google", "Organic Search"),
        (sid("a1", 2), "a1", at(minutes=40), at(minutes=40), 1, None, None, None, "Uncategorized", 0, "0s to 9s",
         None, None, "Direct"),
        # the rules find nothing in t.co; the mapping knows it as social
        (sid("b1", 1), "b1", at(0), at(0), 1, None, None, "t.co", "Android", 0, "0s to 9s", "social", "Twitter",
         "Social")], key=repr)
    assert rs.table("web_user_stitching", "anonymous_id, user_id, first_seen_at, last_seen_at") == [
        ("a1", None, at(0), at(minutes=40)), ("b1", None, at(0), at(0))]
    assert rs.table("web_sessions", "session_id, blended_user_id, session_number") == sorted([
        (sid("a1", 1), "a1", 1), (sid("a1", 2), "a1", 2), (sid("b1", 1), "b1", 1)], key=repr)
    assert rs.table("web_sessions__stitched", "session_id, blended_user_id") == sorted([
        (sid("a1", 1), "a1"), (sid("a1", 2), "a1"), (sid("b1", 1), "b1")], key=repr)


def test_duration_tiers_at_their_bounds(rs):
    rows = []
    for n, seconds in enumerate([9.999, 10, 29.999, 30, 59.999, 60]):
        rows += [page(f"s{n}", at(0), anon=f"d{n}"), page(f"e{n}", at(seconds=seconds), anon=f"d{n}")]
    rs.load(rows)
    rs.run()
    assert rs.table("web_sessions__initial", "anonymous_id, duration_in_s, duration_in_s_tier") == [
        ("d0", 9.999, "0s to 9s"), ("d1", 10, "10s to 29s"), ("d2", 29.999, "10s to 29s"), ("d3", 30, "30s to 59s"),
        ("d4", 59.999, "30s to 59s"), ("d5", 60, "60s or more")]


def test_a_late_page_view_bridges_two_sessions_and_renumbers_the_later_ones(rs):
    rs.load([page("p1", at(0)), page("p2", at(minutes=50)), page("p3", at(hours=3))])
    rs.run()
    assert rs.table("web_sessions", "session_id, session_start_tstamp, page_views, session_number") == sorted([
        (sid("a1", 1), at(0), 1, 1), (sid("a1", 2), at(minutes=50), 1, 2), (sid("a1", 3), at(hours=3), 1, 3)],
        key=repr)
    rs.load([page("p4", at(minutes=25))])                 # 25 min after p1, 25 min before p2: one session
    rs.run()
    assert rs.table("web_page_views__sessionized", "page_view_id, page_view_number, session_number, session_id") == [
        ("p1", 1, 1, sid("a1", 1)), ("p2", 3, 1, sid("a1", 1)), ("p3", 4, 2, sid("a1", 2)), ("p4", 2, 1, sid("a1", 1))]
    assert rs.table("web_sessions", "session_id, session_start_tstamp, session_end_tstamp, page_views, "
                    "session_number") == sorted([
        (sid("a1", 1), at(0), at(minutes=50), 3, 1), (sid("a1", 2), at(hours=3), at(hours=3), 1, 2)], key=repr)
    assert rs.table("web_sessions__initial", "session_id") == sorted([(sid("a1", 1),), (sid("a1", 2),)])


def test_sessions_before_the_restart_point_keep_their_numbers_and_later_ones_go_on_from_them(rs):
    rs.load([page("p1", at(0)), page("p2", at(minutes=5)), page("p3", at(hours=2)),
             page("p4", at(hours=2, minutes=10))])
    rs.run()
    # p5 continues the second session (the first is kept), p6 starts a third
    rs.load([page("p5", at(hours=2, minutes=20)), page("p6", at(hours=4))])
    rs.run()
    assert rs.table("web_page_views__sessionized", "page_view_id, page_view_number, session_number, session_id") == [
        ("p1", 1, 1, sid("a1", 1)), ("p2", 2, 1, sid("a1", 1)), ("p3", 3, 2, sid("a1", 2)), ("p4", 4, 2, sid("a1", 2)),
        ("p5", 5, 2, sid("a1", 2)), ("p6", 6, 3, sid("a1", 3))]
    # p7 comes exactly the cutoff (1800 s) after p2: no gap greater than it, so it joins the first
    # session, which is then sessionized again with everything after it
    rs.load([page("p7", at(minutes=35))])
    rs.run()
    assert rs.table("web_page_views__sessionized", "page_view_id, page_view_number, session_number, session_id") == [
        ("p1", 1, 1, sid("a1", 1)), ("p2", 2, 1, sid("a1", 1)), ("p3", 4, 2, sid("a1", 2)), ("p4", 5, 2, sid("a1", 2)),
        ("p5", 6, 2, sid("a1", 2)), ("p6", 7, 3, sid("a1", 3)), ("p7", 3, 1, sid("a1", 1))]
    assert rs.table("web_sessions__initial", "session_id, session_start_tstamp, session_end_tstamp, "
                    "page_views") == sorted([
        (sid("a1", 1), at(0), at(minutes=35), 3), (sid("a1", 2), at(hours=2), at(hours=2, minutes=20), 3),
        (sid("a1", 3), at(hours=4), at(hours=4), 1)], key=repr)
    assert rs.table("web_user_stitching", "anonymous_id, user_id, first_seen_at, last_seen_at") == [
        ("a1", None, at(0), at(hours=4))]
    assert rs.table("web_sessions", "session_id, session_number") == sorted([
        (sid("a1", 1), 1), (sid("a1", 2), 2), (sid("a1", 3), 3)], key=repr)


def test_an_identify_arriving_late_moves_a_device_to_its_user_and_renumbers_and_reattributes(rs):
    rs.load([page("p1", at(0), anon="a2", user="u1"), page("p2", at(hours=2), anon="a2", user="u1"),
             page("q1", at(hours=1), anon="a1"),
             *order("o1", at(hours=3), anon="a2", user="u1", order_id="ord1", total=60.0, currency="USD")])
    rs.run()
    assert rs.table("web_sessions", "session_id, blended_user_id, session_number") == sorted([
        (sid("a2", 1), "u1", 1), (sid("a2", 2), "u1", 2), (sid("a1", 1), "a1", 1)], key=repr)
    assert rs.table("web_attribution_touches", TOUCHES) == sorted([
        ("o1", sid("a2", 1), "(other)", 1, 2, 1, 0, 0.5, 60, 0, 30),
        ("o1", sid("a2", 2), "(other)", 2, 2, 0, 1, 0.5, 0, 60, 30)], key=repr)
    rs.load([identify("i1", at(hours=4), "a1", "u1")])   # a1 was u1 all along
    rs.run()
    assert rs.table("web_user_stitching", "anonymous_id, user_id") == [("a1", "u1"), ("a2", "u1")]
    assert rs.table("web_sessions", "session_id, blended_user_id, session_number") == sorted([
        (sid("a2", 1), "u1", 1), (sid("a1", 1), "u1", 2), (sid("a2", 2), "u1", 3)], key=repr)
    assert rs.table("web_sessions__stitched", "session_id, blended_user_id") == sorted([
        (sid("a2", 1), "u1"), (sid("a1", 1), "u1"), (sid("a2", 2), "u1")], key=repr)
    assert rs.table("web_attribution_touches", TOUCHES) == sorted([
        ("o1", sid("a2", 1), "(other)", 1, 3, 1, 0, 1 / 3, 60, 0, 20),
        ("o1", sid("a1", 1), "(other)", 2, 3, 0, 0, 1 / 3, 0, 0, 20),
        ("o1", sid("a2", 2), "(other)", 3, 3, 0, 1, 1 / 3, 0, 60, 20)], key=repr)
    assert rs.table("web_attribution_by_channel", BY_CHANNEL) == [(D0, "(other)", "USD", 3, 1, 1, 1, 60, 60, 60)]


def test_touches_within_the_lookback_get_first_last_and_linear_credit(rs):
    converted = at(days=40)
    rs.load([page("p1", at(days=9), **GOOGLE),         # 31 days before: outside the 30-day look-back
             page("p2", at(days=10), **GOOGLE),        # exactly 30 days before: inside
             page("p3", at(days=38), **NEWSLETTER),
             page("p4", converted, **DIRECT),           # starting as it converts: inside
             page("p5", at(days=41), **FACEBOOK),      # after it: no touch
             *order("o1", converted, order_id="ord1", total=90.0, currency="USD")])
    rs.run()
    assert rs.table("web_conversions", "conversion_id, order_id, anonymous_id, user_id, blended_user_id, converted_at, "
                    "conversion_date, amount, currency") == [
        ("o1", "ord1", "a1", None, "a1", converted, converted.date(), 90, "USD")]
    assert rs.table("web_attribution_touches", TOUCHES) == sorted([
        ("o1", sid("a1", 2), "Organic Search", 1, 3, 1, 0, 1 / 3, 90, 0, 30),
        ("o1", sid("a1", 3), "Email", 2, 3, 0, 0, 1 / 3, 0, 0, 30),
        ("o1", sid("a1", 4), "Direct", 3, 3, 0, 1, 1 / 3, 0, 90, 30)], key=repr)
    assert rs.table("web_attribution_by_channel", BY_CHANNEL) == [
        (converted.date(), "Direct", "USD", 1, 0, 1, 0.333333, 0, 90, 30),
        (converted.date(), "Email", "USD", 1, 0, 0, 0.333333, 0, 0, 30),
        (converted.date(), "Organic Search", "USD", 1, 1, 0, 0.333333, 90, 0, 30)]


def test_last_non_direct_credit_skips_direct_touches_unless_every_touch_is_direct(rs):
    rs.load([page("p1", at(0), anon="a1", **GOOGLE),                  # sessions more than 30 min apart
             page("p2", at(hours=2), anon="a1", **NEWSLETTER),
             page("p3", at(hours=4), anon="a1", **DIRECT),
             *order("o1", at(hours=4, minutes=5), anon="a1", order_id="ord1", total=80.0, currency="USD"),
             page("q1", at(0), anon="b1", **DIRECT),
             page("q2", at(hours=3), anon="b1", **DIRECT),
             *order("o2", at(hours=3, minutes=1), anon="b1", order_id="ord2", total=10.0, currency="USD")])
    rs.run()
    # o1: the latest touch that is not Direct is the newsletter's; o2: all Direct, so the last one
    assert rs.table("web_attribution_touches", "conversion_id, channel, touch_index, last_touch_credit, "
                    "last_non_direct_credit, last_non_direct_revenue") == [
        ("o1", "Direct", 3, 1, 0, 0), ("o1", "Email", 2, 0, 1, 80), ("o1", "Organic Search", 1, 0, 0, 0),
        ("o2", "Direct", 1, 0, 0, 0), ("o2", "Direct", 2, 1, 1, 10)]
    assert rs.table("web_attribution_by_channel", "channel, touches, last_non_direct_credit, "
                    "last_non_direct_revenue") == [
        ("Direct", 3, 1, 10), ("Email", 1, 1, 80), ("Organic Search", 1, 0, 0)]


def test_conversions_without_a_touch_count_whole_under_none_per_currency(rs):
    rs.load([page("p1", at(days=-31), anon="a1", **GOOGLE),
             *order("o1", at(0), anon="a1", order_id="ord1", total=25.0, currency="USD"),     # its session is too old
             *order("o2", at(hours=1), anon="z9", user="u7", order_id="ord2", total=15.0, currency="USD"),
             *order("o3", at(hours=2), anon="z9", user="u7", order_id="ord3", revenue=40.0, currency="EUR")])
    rs.run()
    assert rs.table("web_attribution_touches", TOUCHES) == []
    assert rs.table("web_conversions", "conversion_id, blended_user_id, amount, currency") == [
        ("o1", "a1", 25, "USD"), ("o2", "u7", 15, "USD"), ("o3", "u7", 40, "EUR")]     # no total: the revenue
    assert rs.table("web_attribution_by_channel", BY_CHANNEL) == [
        (D0, "(none)", "EUR", 0, 1, 1, 1, 40, 40, 40), (D0, "(none)", "USD", 0, 2, 2, 2, 40, 40, 40)]


def test_a_changed_session_reattributes_an_earlier_conversion(rs):
    rs.load([page("p2", at(hours=1), **DIRECT), *order("o1", at(hours=2), order_id="ord1", total=50.0, currency="USD")])
    rs.run()
    assert rs.table("web_attribution_touches", TOUCHES) == [("o1", sid("a1", 1), "Direct", 1, 1, 1, 1, 1, 50, 50, 50)]
    assert rs.table("web_attribution_by_channel", BY_CHANNEL) == [(D0, "Direct", "USD", 1, 1, 1, 1, 50, 50, 50)]
    # late: a page 20 min before p2 (the session now starts there, from Google) and one three days earlier
    rs.load([page("p1", at(minutes=40), **GOOGLE), page("p0", at(days=-3), **FACEBOOK)])
    rs.run()
    assert rs.table("web_attribution_touches", TOUCHES) == sorted([
        ("o1", sid("a1", 1), "Social", 1, 2, 1, 0, 0.5, 50, 0, 25),
        ("o1", sid("a1", 2), "Organic Search", 2, 2, 0, 1, 0.5, 0, 50, 25)], key=repr)
    assert rs.table("web_attribution_by_channel", BY_CHANNEL) == [
        (D0, "Organic Search", "USD", 1, 0, 1, 0.5, 0, 50, 25), (D0, "Social", "USD", 1, 1, 0, 0.5, 50, 0, 25)]


def test_paid_rules_come_before_organic_ones(rs):
    rs.load([page("p1", at(0), anon="g1", context_campaign_source="google", context_campaign_medium="cpc", **GOOGLE),
             page("p2", at(0), anon="g2", context_page_referrer="https://outlook.live.com/mail/")])
    rs.run()
    assert rs.table("web_sessions__initial", "anonymous_id, referrer_medium, channel") == [
        ("g1", "search", "Paid Search"), ("g2", "email", "Email")]


def test_a_users_own_referrer_mapping_is_kept(rs):
    rs.sql("CREATE SCHEMA IF NOT EXISTS derived")
    rs.sql("CREATE TABLE derived.referrer_mapping (host VARCHAR, source VARCHAR, medium VARCHAR)")
    rs.sql("INSERT INTO derived.referrer_mapping VALUES ('partner.example', 'Partner', 'social')")
    rs.load([page("p1", at(0), anon="a1", context_page_referrer="https://partner.example/x"),
             page("p2", at(0), anon="a2", context_page_referrer="https://t.co/x")])
    rs.run()
    assert rs.table("referrer_mapping", "host, source, medium") == [("partner.example", "Partner", "social")]
    assert rs.table("web_sessions__initial", "anonymous_id, referrer_source, channel") == [
        ("a1", "Partner", "Social"), ("a2", None, "(other)")]


# pass_through_columns: a column of the raw pages table on each page view, and its value on a
# session's first and last page view. Only the modules attribution needs run.
PASSED = ("context_locale", "plan_tier")
SESSION_PASSED = ("session_id, page_views, first_context_locale, last_context_locale, first_plan_tier, "
                  "last_plan_tier")


def passing(root: Path, target: dict, columns=PASSED, variables: dict | None = None) -> AttributionModel:
    modules = {"rs_web_attribution": {"vars": {"pass_through_columns": list(columns)}},
               **{m: {"enabled": False} for m in MODULES if m not in ("rs_base", "rs_identity", "rs_web_attribution")}}
    return AttributionModel(root, target, variables, modules)


def test_pass_through_columns_ride_on_page_views_and_on_each_sessions_first_and_last(project):
    rs = passing(project.root, project.target_settings)
    rs.load([page("p1", at(0), anon="a1", context_locale="en-GB"),
             page("p2", at(minutes=5), anon="a1"),                     # its row has no locale
             page("p3", at(minutes=10), anon="a1", context_locale="fr-FR"),
             page("q1", at(0), anon="b1"),
             page("q2", at(minutes=45), anon="b1", context_locale="de-DE")])   # 45 min on: b1's second session
    rs.run()                                                           # pages has no plan_tier column at all
    assert rs.table("web_page_views", "page_view_id, context_locale, plan_tier") == [
        ("p1", "en-GB", None), ("p2", None, None), ("p3", "fr-FR", None), ("q1", None, None), ("q2", "de-DE", None)]
    assert rs.table("web_page_views__sessionized", "page_view_id, session_id, context_locale, plan_tier") == [
        ("p1", sid("a1", 1), "en-GB", None), ("p2", sid("a1", 1), None, None), ("p3", sid("a1", 1), "fr-FR", None),
        ("q1", sid("b1", 1), None, None), ("q2", sid("b1", 2), "de-DE", None)]
    sessions = sorted([(sid("a1", 1), 3, "en-GB", "fr-FR", None, None),
                       (sid("b1", 1), 1, None, None, None, None),
                       (sid("b1", 2), 1, "de-DE", "de-DE", None, None)], key=repr)
    for table in ("web_sessions__initial", "web_sessions__stitched", "web_sessions"):
        assert rs.table(table, SESSION_PASSED) == sessions, table
    # later: a page extends each device's last session, one with the plan_tier column pages now gets
    rs.load([page("p4", at(minutes=20), anon="a1", context_locale="es-ES", plan_tier="gold"),
             page("q3", at(minutes=50), anon="b1", plan_tier="silver")])
    rs.run()
    assert rs.table("web_page_views", "page_view_id, context_locale, plan_tier") == [
        ("p1", "en-GB", None), ("p2", None, None), ("p3", "fr-FR", None), ("p4", "es-ES", "gold"),
        ("q1", None, None), ("q2", "de-DE", None), ("q3", None, "silver")]
    sessions = sorted([(sid("a1", 1), 4, "en-GB", "es-ES", None, "gold"),
                       (sid("b1", 1), 1, None, None, None, None),
                       (sid("b1", 2), 2, "de-DE", None, None, "silver")], key=repr)
    for table in ("web_sessions__initial", "web_sessions__stitched", "web_sessions"):
        assert rs.table(table, SESSION_PASSED) == sessions, table


def test_a_page_sent_again_carries_the_values_of_the_copy_rs_base_keeps(project):
    rs = passing(project.root, project.target_settings)
    rs.load([page("p1", at(0), context_locale="en-GB")])
    rs.run()
    # received later: rs_base keeps the first copy, and so does the page view (as a full run would)
    rs.load([page("p1", at(0), context_locale="en-US", received_at=at(seconds=30)),
             page("p2", at(minutes=1), context_locale="nl-NL")])
    rs.run()
    assert rs.table("web_page_views", "page_view_id, received_at_tstamp, context_locale") == [
        ("p1", at(0), "en-GB"), ("p2", at(minutes=1), "nl-NL")]
    assert rs.table("web_sessions", SESSION_PASSED) == [(sid("a1", 1), 2, "en-GB", "nl-NL", None, None)]
    # received earlier: this copy replaces the kept one, its values with it
    rs.load([page("p1", at(0), context_locale="pt-BR", received_at=at(seconds=-5))])
    rs.run()
    assert rs.table("web_page_views", "page_view_id, received_at_tstamp, context_locale") == [
        ("p1", at(seconds=-5), "pt-BR"), ("p2", at(minutes=1), "nl-NL")]
    assert rs.table("web_sessions", SESSION_PASSED) == [(sid("a1", 1), 2, "pt-BR", "nl-NL", None, None)]
    # two copies alike but for the value, in one load: the first by value, every run alike
    rs.load([page("q1", at(0), anon="b1", context_locale="fr-FR"),
             page("q1", at(0), anon="b1", context_locale="de-DE")])
    rs.run()
    assert rs.table("web_page_views", "page_view_id, context_locale", "page_view_id") == [
        ("p1", "pt-BR"), ("p2", "nl-NL"), ("q1", "de-DE")]


def test_a_page_sent_again_after_its_run_ends_as_in_one_full_run(project, tmp_path):
    # the copy sent again, received later, loads after a run built the page view: rs_base does not
    # stage it again, and one full run over both copies keeps the first one too
    rows = [page("p1", at(0), context_locale="en-GB"),
            page("p1", at(0), context_locale="de-DE", received_at=at(minutes=30)), page("p2", at(minutes=1))]
    models = []
    for name in ("incremental", "full"):
        (tmp_path / name).mkdir()
        models.append(passing(tmp_path / name, project.target_settings, variables={"entropy": f"_{name[:4]}"}))
    play(*models, rows, [0, 1, 1], [("load", None), *(("run", m) for m in ("rs_base", "rs_identity",
                                                                           "rs_web_attribution"))])
    assert models[1].table("web_page_views", "page_view_id, context_locale") == [("p1", "en-GB"), ("p2", None)]


def test_a_full_refresh_after_pass_through_columns_changed_fills_the_new_columns(project):
    before = passing(project.root, project.target_settings, ["plan_tier"])   # no pages row has it
    before.load([page("p1", at(0), context_locale="en-GB"), page("p2", at(minutes=1), context_locale="fr-FR")])
    before.run()
    assert before.table("web_page_views", "page_view_id, plan_tier") == [("p1", None), ("p2", None)]
    assert before.table("web_sessions", "session_id, first_plan_tier, last_plan_tier") == [(sid("a1", 1), None, None)]
    after = passing(project.root, project.target_settings, ["context_locale"])
    before.load([page("p3", at(minutes=2), context_locale="it-IT")])     # the loader that made pages
    with pytest.raises(Exception, match="context_locale"):       # the tables do not have it yet
        after.run()
    with after.project.target() as target:
        after.lifecycle(target).full_refresh(["rs_web_attribution"])
    assert after.table("web_page_views", "page_view_id, context_locale") == [
        ("p1", "en-GB"), ("p2", "fr-FR"), ("p3", "it-IT")]
    assert after.table("web_sessions", "session_id, first_context_locale, last_context_locale") == [
        (sid("a1", 1), "en-GB", "it-IT")]


# The property: pages, orders (in two currencies) and identifies of a few devices and users over
# four days, gaps at the session cutoff and at the one-day look-back, ids re-sent with other
# times (a page maybe with another locale, a pass-through column), in random batches with random
# runs and complete replays of the modules attribution needs, end equal to one full run.
DAY = 86_400_000
ATTRIBUTION_MODULES = ("rs_base", "rs_identity", "rs_web_attribution")
ATTRIBUTION_ONLY = {"rs_web_attribution": {"vars": {"attribution_lookback_days": 1,
                                                    "pass_through_columns": ["context_locale", "plan_tier"]}},
                    **{m: {"enabled": False} for m in MODULES if m not in ATTRIBUTION_MODULES}}
SOURCES = st.fixed_dictionaries({}, optional={
    "context_page_referrer": st.sampled_from(["$direct", "https://www.google.com/", "https://t.co/x"]),
    "context_campaign_source": st.sampled_from(["google", "newsletter"]),
    "context_campaign_medium": st.sampled_from(["cpc", "email"]),
    "context_locale": st.sampled_from(["en-GB", "fr-FR"]),
})
GAPS = st.sampled_from([0, 1, 1_800_000, 1_800_001, 3_600_000, DAY - 1, DAY, DAY + 1])


@st.composite
def web_rows(draw) -> list:
    rows, n = [], 0
    for anon in ("a0", "a1", "a2")[:draw(st.integers(1, 3))]:
        clock = draw(st.integers(0, 3 * DAY))
        for _ in range(draw(st.integers(1, 6))):
            n += 1
            when, user = at(ms=clock), draw(st.one_of(st.none(), st.sampled_from(["u0", "u1"])))
            kind = draw(st.sampled_from(["page", "page", "page", "order", "identify"]))
            if kind == "page":
                rows.append(page(f"e{n}", when, anon=anon, user=user, **draw(SOURCES)))
            elif kind == "order":
                rows.extend(order(f"e{n}", when, anon=anon, user=user, order_id=f"o{n}",
                                  total=draw(st.sampled_from([10.0, 30.0])),
                                  currency=draw(st.sampled_from(["USD", "EUR"]))))
            else:
                rows.append(identify(f"e{n}", when, anon, user or "u0"))
            clock += draw(GAPS)
    for table, original in draw(st.lists(st.sampled_from(rows), max_size=2)):
        shift = draw(st.sampled_from([-5_000, 2_000_000]))     # received earlier or later, and moved
        locale = {"context_locale": draw(st.sampled_from(["en-GB", "de-DE"]))} if table == "pages" else {}
        rows.append((table, {**original, "received_at": original["received_at"] + timedelta(milliseconds=shift),
                             "timestamp": original["timestamp"] + timedelta(milliseconds=shift), **locale}))
    return rows


def draw_case(data) -> tuple[list, list[int], list]:
    rows = data.draw(web_rows())
    batch_of = data.draw(st.lists(st.integers(0, 3), min_size=len(rows), max_size=len(rows)))
    actions = data.draw(st.lists(st.one_of(st.just(("load", None)), st.tuples(
        st.sampled_from(["main", "complete", "run"]), st.sampled_from(ATTRIBUTION_MODULES))), min_size=1, max_size=12))
    return rows, batch_of, actions


@settings(max_examples=examples(5), deadline=None, suppress_health_check=HEAVY_DRAWS)
@given(data=st.data())
def test_web_attribution_converges_on_duckdb(data):
    rows, batch_of, actions = draw_case(data)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        incremental = RudderModel(Path(a), {"type": "duckdb", "path": ".sluice/i.duckdb"}, modules=ATTRIBUTION_ONLY)
        full = RudderModel(Path(b), {"type": "duckdb", "path": ".sluice/f.duckdb"}, modules=ATTRIBUTION_ONLY)
        play(incremental, full, rows, batch_of, actions)


@pytest.fixture(scope="module")
def pg_attribution_db(pg_admin_dsn):
    from tests import pg

    with pg.fresh_database(pg_admin_dsn) as dsn:
        yield pg.target_settings(dsn)


def test_web_attribution_converges_on_postgres(pg_attribution_db, tmp_path_factory):
    @settings(max_examples=examples(3), deadline=None, suppress_health_check=HEAVY_DRAWS)
    @given(data=st.data())
    def converge(data):
        rows, batch_of, actions = draw_case(data)
        pair = [RudderModel(tmp_path_factory.mktemp("web"), pg_attribution_db, modules=ATTRIBUTION_ONLY,
                            variables={"entropy": f"_{uuid.uuid4().hex[:8]}"}) for _ in range(2)]
        play(*pair, rows, batch_of, actions)

    converge()
