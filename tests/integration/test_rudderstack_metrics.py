"""rs_daily_metrics on DuckDB and PostgreSQL: hand-written RudderStack rows per case, loaded in
the order the case needs, with every expected row worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.cli import invoke
from tests.integration.rudder import RudderModel, alias, at, identify, page, track

D1, D2, D3 = date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)
DAILY = "date, dau, total_sessions, bounced_sessions, bounce_rate, total_session_length_s, avg_session_length_s"
SESSIONS = ("session_id, visitor_id, session_start_at, session_end_at, session_date, session_length_s, n_events, "
            "n_page_views, is_bounce")
DIMS = "referrer, utm_source, utm_medium, source_medium, channel"
BY_DIM = ("date, channel, source_medium, referrer, device_type, total_sessions, bounced_sessions, bounce_rate, "
          "total_session_length_s, avg_session_length_s")
BY_FIRST_TOUCH = "date, channel, source_medium, referrer, dau"
GOOGLE = {"context_page_referrer": "https://www.google.com/", "context_page_referring_domain": "www.google.com"}
DIRECT = {"context_page_referrer": "$direct"}


def on(day: date, hour: int, minute: int = 0, second: int = 0, ms: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, ms * 1000)


class MetricsModel(RudderModel):
    def table(self, name: str, columns: str, order: str | None = None) -> list[tuple]:
        """Rows in Python's order, whatever the database's collation does with '(other)'."""
        return sorted(super().table(name, columns, order), key=repr)


@pytest.fixture
def rs(project) -> MetricsModel:
    return MetricsModel(project.root, project.target_settings)


def metrics_with(project, **variables) -> MetricsModel:
    return MetricsModel(project.root, project.target_settings, modules={"rs_daily_metrics": {"vars": variables}})


def test_one_day_every_output(rs):
    rs.load([
        page("p1", at(0), anon="a1", context_screen_width=1920, context_screen_height=1080, **GOOGLE),
        track("t1", at(minutes=10), anon="a1"),
        track("t2", at(hours=2), anon="a1"),                         # a session of its own: one event, bounced
        page("q1", at(minutes=5), anon="b1", context_screen_width=390, context_screen_height=844, **DIRECT),
        page("q2", at(minutes=5), anon="b1", **DIRECT),             # the same instant: zero length, bounced
        track("r1", at(0), anon="c1"), track("r2", at(ms=1), anon="c1"),   # 1 ms: not a bounce
    ])
    rs.run()
    assert rs.table("rs_session_metrics", SESSIONS) == [
        ("1 - a1", "a1", at(0), at(minutes=10), D1, 600, 2, 1, False),
        ("1 - b1", "b1", at(minutes=5), at(minutes=5), D1, 0, 2, 2, True),
        ("1 - c1", "c1", at(0), at(ms=1), D1, 0.001, 2, 0, False),
        ("2 - a1", "a1", at(hours=2), at(hours=2), D1, 0, 1, 0, True)]
    assert rs.table("rs_session_metrics", f"session_id, {DIMS}, device_type") == [
        ("1 - a1", "google", "google", "google", "google", "Organic Search", "Desktop"),
        ("1 - b1", "direct", "direct", "direct", "direct", "Direct", "Mobile"),
        ("1 - c1", None, None, None, None, "(other)", "Others"),
        ("2 - a1", None, None, None, None, "(other)", "Others")]
    assert rs.table("rs_daily_visitor_activity", "date, visitor_id, n_events, has_track, has_page") == [
        (D1, "a1", 3, True, True), (D1, "b1", 2, False, True), (D1, "c1", 2, True, False)]
    assert rs.table("rs_user_first_touch", f"visitor_id, first_seen_at, first_event_id, {DIMS}") == [
        ("a1", at(0), "p1", "google", "google", "google", "google", "Organic Search"),
        ("b1", at(minutes=5), "q1", "direct", "direct", "direct", "direct", "Direct"),
        ("c1", at(0), "r1", None, None, None, None, "(other)")]
    assert rs.table("rs_daily_metrics", DAILY) == [(D1, 3, 4, 2, 0.5, 600.001, 600.001 / 4)]
    assert rs.table("rs_daily_session_metrics_by_dim", BY_DIM) == [
        (D1, "(other)", None, None, "Others", 2, 1, 0.5, 0.001, 0.001 / 2),
        (D1, "Direct", "direct", "direct", "Mobile", 1, 1, 1.0, 0, 0.0),
        (D1, "Organic Search", "google", "google", "Desktop", 1, 0, 0.0, 600, 600.0)]
    assert rs.table("rs_daily_dau_by_first_touch", BY_FIRST_TOUCH) == [
        (D1, "(other)", None, None, 1), (D1, "Direct", "direct", "direct", 1),
        (D1, "Organic Search", "google", "google", 1)]


def test_a_session_across_midnight_counts_once_on_its_start_date(rs):
    rs.load([track("t1", on(D1, 23, 50)), track("t2", on(D2, 0, 10))])
    rs.run()
    assert rs.table("rs_session_metrics", SESSIONS) == [
        ("1 - a1", "a1", on(D1, 23, 50), on(D2, 0, 10), D1, 1200, 2, 0, False)]
    # D2 has activity but no session start: its rates are NULL, not 0
    assert rs.table("rs_daily_metrics", DAILY) == [(D1, 1, 1, 0, 0.0, 1200, 1200.0), (D2, 1, 0, 0, None, 0, None)]
    assert rs.table("rs_daily_visitor_activity", "date, visitor_id, n_events") == [(D1, "a1", 1), (D2, "a1", 1)]
    assert rs.table("rs_daily_session_metrics_by_dim", "date, total_sessions") == [(D1, 1)]
    assert rs.table("rs_daily_dau_by_first_touch", BY_FIRST_TOUCH) == [
        (D1, "(other)", None, None, 1), (D2, "(other)", None, None, 1)]


def test_a_late_event_merges_two_sessions_and_moves_a_start_to_the_day_before(rs):
    rs.load([track("t1", on(D1, 23, 20)), track("t2", on(D2, 0, 10)), track("t3", on(D2, 0, 15)),
             track("b", on(D2, 9), anon="b1")])
    rs.run()
    assert rs.table("rs_daily_metrics", DAILY) == [(D1, 1, 1, 1, 1.0, 0, 0.0), (D2, 2, 2, 1, 0.5, 300, 150.0)]
    rs.load([track("t4", on(D1, 23, 45))])          # 25 min after t1, 25 min before t2: one session
    rs.run()
    assert rs.table("rs_session_metrics", SESSIONS) == [
        ("1 - a1", "a1", on(D1, 23, 20), on(D2, 0, 15), D1, 3300, 4, 0, False),
        ("1 - b1", "b1", on(D2, 9), on(D2, 9), D2, 0, 1, 0, True)]
    assert rs.table("rs_daily_metrics", DAILY) == [(D1, 1, 1, 0, 0.0, 3300, 3300.0), (D2, 2, 1, 1, 1.0, 0, 0.0)]
    assert rs.table("rs_daily_session_metrics_by_dim", "date, total_sessions, bounced_sessions, "
                    "total_session_length_s") == [(D1, 1, 0, 3300), (D2, 1, 1, 0)]
    assert rs.table("rs_daily_visitor_activity", "date, visitor_id, n_events") == [
        (D1, "a1", 2), (D2, "a1", 2), (D2, "b1", 1)]


@pytest.mark.parametrize("link", ["identify", "alias"])
def test_two_visitors_merged_later_lower_a_past_dau_and_move_every_date_of_the_user(rs, link):
    rs.load([page("p1", on(D1, 10), anon="a1", **GOOGLE),
             page("p2", on(D1, 11), anon="a2", user="u1", **DIRECT),
             page("p3", on(D2, 10), anon="a2", user="u1", **DIRECT)])
    rs.run()
    assert rs.table("rs_daily_metrics", "date, dau, total_sessions") == [(D1, 2, 2), (D2, 1, 1)]
    assert rs.table("rs_daily_dau_by_first_touch", BY_FIRST_TOUCH) == [
        (D1, "Direct", "direct", "direct", 1), (D1, "Organic Search", "google", "google", 1),
        (D2, "Direct", "direct", "direct", 1)]
    # a1 turns out to be u1, learnt from a call on D3 loaded later (not itself an activity)
    rs.load([identify("i1", on(D3, 8), "a1", "u1") if link == "identify"
             else alias("al1", on(D3, 8), previous="a1", user="u1")])
    rs.run()
    assert rs.table("rs_daily_metrics", DAILY) == [(D1, 1, 2, 2, 1.0, 0, 0.0), (D2, 1, 1, 1, 1.0, 0, 0.0)]
    assert rs.table("rs_daily_visitor_activity", "date, visitor_id, n_events, has_track, has_page") == [
        (D1, "u1", 2, False, True), (D2, "u1", 1, False, True)]
    assert rs.table("rs_user_first_touch", f"visitor_id, first_seen_at, first_event_id, {DIMS}") == [
        ("u1", on(D1, 10), "p1", "google", "google", "google", "google", "Organic Search")]
    # u1's first touch is now a1's: D2, where nothing new happened, moves to the new cell too
    assert rs.table("rs_daily_dau_by_first_touch", BY_FIRST_TOUCH) == [
        (D1, "Organic Search", "google", "google", 1), (D2, "Organic Search", "google", "google", 1)]
    assert rs.table("rs_session_metrics", "session_id, visitor_id, session_date, channel") == [
        ("1 - u1", "u1", D1, "Organic Search"), ("2 - u1", "u1", D1, "Direct"), ("3 - u1", "u1", D2, "Direct")]


def test_identifies_are_not_activity(rs):
    rs.load([track("t1", on(D1, 10), anon="a1"), identify("i1", on(D1, 11), "z1", "uz1"),
             identify("i2", on(D2, 11), "z2", "uz2")])
    rs.run()
    assert rs.table("rs_daily_visitor_activity", "date, visitor_id, n_events") == [(D1, "a1", 1)]
    assert rs.table("rs_daily_metrics", DAILY) == [(D1, 1, 1, 1, 1.0, 0, 0.0)]    # no row for D2
    assert rs.table("rs_user_first_touch", "visitor_id") == [("a1",)]


CHANNELS = [
    # referrer, referring domain, utm_source, utm_medium -> referrer, utm_source, utm_medium, source_medium, channel
    ("$direct", None, None, None, ("direct", "direct", "direct", "direct", "Direct")),
    ("https://x.example/", "x.example", "partner", "None", ("x.example", "partner", "none", "partner-none", "Direct")),
    ("https://www.google.com/", "www.google.com", "Google", "CPC", ("google", "google", "cpc", "google-cpc",
                                                                   "Paid Search")),
    ("https://www.google.com/", "www.google.com", "google", "display", ("google", "google", "display",
                                                                       "google-display", "Paid Display")),
    ("https://ad.doubleclick.net/", "ad.doubleclick.net", None, None,
     ("ad.doubleclick.net", "ad.doubleclick.net", "ad.doubleclick.net", "ad.doubleclick.net", "Paid Display")),
    ("https://www.google.co.uk/", "www.google.co.uk", None, None, ("google", "google", "google", "google",
                                                                 "Organic Search")),
    ("https://www.ecosia.org/", "www.ecosia.org", None, None, ("ecosia", "ecosia", "ecosia", "ecosia",
                                                             "Organic Search")),
    ("https://x.example/", "x.example", "newsletter", "organic", ("x.example", "newsletter", "organic",
                                                                  "newsletter-organic", "Organic Search")),
    ("https://www.facebook.com/", "www.facebook.com", None, None, ("facebook", "facebook", "facebook", "facebook",
                                                                  "Social")),
    ("https://www.instagram.com/", "www.instagram.com", "instagram", "paidsocial",
     ("instagram", "instagram", "paidsocial", "instagram-paidsocial", "Social")),
    ("https://mail.google.com/", "mail.google.com", "newsletter", "email",
     ("mail.google", "newsletter", "email", "newsletter-email", "Email")),
    ("https://blog.example/", "blog.example", "partner_blog", "affiliate",
     ("blog.example", "partner_blog", "affiliate", "partner_blog-affiliate", "Affiliates")),
    ("https://news.example.com/", "news.example.com", "news", "referral", ("news.example", "news", "referral",
                                                                           "news-referral", "Referral")),
    ("https://x.example/", "x.example", "network", "cpa", ("x.example", "network", "cpa", "network-cpa",
                                                          "Other Advertising")),
    ("https://outdoors.example.org/a", "outdoors.example.org", "null", "", ("outdoors.example", "outdoors.example",
                                                                           "outdoors.example", "outdoors.example",
                                                                           "(other)")),
    (None, None, "newsletter", None, (None, "newsletter", None, "newsletter", "(other)")),
]


def test_channel_rules_first_match_wins_with_paid_before_organic(rs):
    rows = []
    for n, (referrer, domain, source, medium, _) in enumerate(CHANNELS):
        fields = {"context_page_referrer": referrer, "context_page_referring_domain": domain,
                  "context_campaign_source": source, "context_campaign_medium": medium}
        given = {k: v for k, v in fields.items() if v is not None}
        rows.append(page(f"p{n:02d}", at(minutes=n), anon=f"v{n:02d}", **given))
    rs.load(rows)
    rs.run()
    assert rs.table("rs_session_metrics", f"session_id, {DIMS}", "session_id") == [
        (f"1 - v{n:02d}", *expected) for n, (*_, expected) in enumerate(CHANNELS)]


DEVICES = [((1024, 768), "Desktop"), ((768, 1024), "Desktop"), ((1023, 768), "Others"), ((767, 1024), "Others"),
           ((360, 640), "Mobile"), ((414, 896), "Mobile"), ((896, 414), "Mobile"), ((359, 640), "Others"),
           ((414, 897), "Others"), ((601, 800), "Tablet"), ((962, 1280), "Desktop"), ((800, 601), "Tablet"),
           ((600, 800), "Others"), ((963, 1280), "Desktop"), ((962, 1000), "Tablet"), ((None, None), "Others")]


def test_device_types_at_the_bounds(rs):
    rows = []
    for n, ((width, height), _) in enumerate(DEVICES):
        size = {"context_screen_width": width, "context_screen_height": height} if width else {}
        rows.append(track(f"t{n:02d}", at(minutes=n), anon=f"v{n:02d}", **size))
    rs.load(rows)
    rs.run()
    assert rs.table("rs_session_metrics", "session_id, device_type") == [
        (f"1 - v{n:02d}", expected) for n, (_, expected) in enumerate(DEVICES)]


def test_seed_parity_users_are_anonymous_ids(project):
    rs = metrics_with(project, metrics_user_key="anonymous_id")
    rs.load([track("t1", on(D1, 10), anon="d1", user="u1"), track("t2", on(D1, 10, 5), anon="d2", user="u1"),
             track("t3", on(D1, 12), anon=None, user="u1")])       # a backend call: no anonymous id
    rs.run()
    assert rs.table("rs_daily_visitor_activity", "date, visitor_id, n_events") == [(D1, "d1", 1), (D1, "d2", 1)]
    assert rs.table("rs_daily_metrics", "date, dau, total_sessions") == [(D1, 2, 2)]
    # sessions stay those of the resolved visitor; a session's user is its first event's anonymous id
    assert rs.table("rs_session_metrics", "session_id, visitor_id, n_events") == [
        ("1 - u1", "d1", 2), ("2 - u1", None, 1)]


def test_seed_parity_sessions_from_the_sdk(project):
    rs = metrics_with(project, session_source="sdk")
    rs.load([track("t1", on(D1, 10), context_session_id=100), track("t2", on(D1, 10, 50), context_session_id=100),
             track("t3", on(D1, 11))])                  # no SDK session: its derived session, 2 - a1
    rs.run()
    assert rs.table("rs_session_metrics", SESSIONS) == [
        ("2 - a1", "a1", on(D1, 11), on(D1, 11), D1, 0, 1, 0, True),
        ("sdk:a1:100", "a1", on(D1, 10), on(D1, 10, 50), D1, 3000, 2, 0, False)]
    rs.load([track("t0", on(D1, 9), context_session_id=100)])   # late: derived sessions renumber
    rs.run()
    assert rs.table("rs_session_metrics", SESSIONS) == [
        ("3 - a1", "a1", on(D1, 11), on(D1, 11), D1, 0, 1, 0, True),
        ("sdk:a1:100", "a1", on(D1, 9), on(D1, 10, 50), D1, 6600, 3, 0, False)]
    assert rs.table("rs_daily_metrics", DAILY) == [(D1, 1, 2, 1, 0.5, 6600, 3300.0)]


def test_a_single_page_bounce_and_a_reporting_time_zone(project):
    rs = metrics_with(project, bounce_definition="single_page", reporting_timezone="Europe/Paris")
    rs.load([track("t1", on(D1, 23, 30)), track("t2", on(D1, 23, 30)), track("b1", on(D1, 10), anon="b1")])
    rs.run()
    # 23:30 UTC is 00:30 in Paris (UTC+1 in March): a1's zero-length session of two events is not
    # a bounce by page count, b1's one event is
    assert rs.table("rs_daily_metrics", DAILY) == [(D1, 1, 1, 1, 1.0, 0, 0.0), (D2, 1, 1, 0, 0.0, 0, 0.0)]
    assert rs.table("rs_session_metrics", "session_id, session_date, is_bounce") == [
        ("1 - a1", D2, False), ("1 - b1", D1, True)]


def test_enabled_later_and_backfilled_over_history(project):
    rs = MetricsModel(project.root, project.target_settings, modules={"rs_daily_metrics": {"enabled": False}})
    rs.load([track("t1", on(D1, 23, 50)), track("t2", on(D2, 0, 10)), page("p1", on(D2, 9), anon="b1", **GOOGLE)])
    assert invoke(project.root, "run", "--catch-up").returncode == 0
    rs.load([identify("i1", on(D2, 12), "b1", "a1")])
    assert invoke(project.root, "run", "--catch-up").returncode == 0
    assert not rs.exists("rs_daily_metrics")
    RudderModel(project.root, project.target_settings)        # enabled again
    result = invoke(project.root, "backfill", "rs_daily_metrics", "--since", "2020-01-01")
    assert result.returncode == 0, result.stderr
    # b1 is a1: one visitor, active on D1 and D2, first seen on D1 (no referrer)
    assert rs.table("rs_daily_metrics", DAILY) == [(D1, 1, 1, 0, 0.0, 1200, 1200.0), (D2, 1, 1, 1, 1.0, 0, 0.0)]
    assert rs.table("rs_daily_dau_by_first_touch", BY_FIRST_TOUCH) == [
        (D1, "(other)", None, None, 1), (D2, "(other)", None, None, 1)]
