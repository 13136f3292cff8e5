"""The standard web model on DuckDB and PostgreSQL, one small hand-written event set per case,
with the expected page views, sessions and users written out by hand."""

from __future__ import annotations

import pytest

from tests.integration.web import WebModel, at, ev

PV = "page_view_id, domain_sessionid, page_view_in_session_index, page_views_in_session, engaged_time_in_s"


@pytest.fixture
def web(project) -> WebModel:
    return WebModel(project.root, project.target_settings)


def web_with(project, **variables) -> WebModel:
    return WebModel(project.root, project.target_settings, modules={
        m: {"vars": variables} for m in ("base", "page_views", "sessions", "users")})


def test_page_view_with_pings_scroll_and_rollups(web):
    web.insert([
        ev("e1", "page_view", at(0)),
        ev("e2", "page_ping", at(12), pp_yoffset_min=0, pp_yoffset_max=500),
        ev("e3", "page_ping", at(14), pp_yoffset_max=700),       # same heartbeat interval as e2
        ev("e4", "page_ping", at(25), pp_yoffset_max=1200, pp_xoffset_max=50),
        ev("e5", "page_view", at(60), pv="pv2", page_urlpath="/cart", page_title="Cart"),
    ])
    web.run()
    # engaged = 10 * (2 distinct 10 s intervals - 1) + 5; end = last ping; % = (1200 + 800) / 4000
    assert web.table("page_views", PV + ", absolute_time_in_s, vertical_pixels_scrolled, "
                     "vertical_percentage_scrolled, horizontal_percentage_scrolled") == [
        ("pv1", "s1", 1, 2, 15, 25, 1200, 50, 100),
        ("pv2", "s1", 2, 2, 0, 0, 0, 20, 100),
    ]
    assert web.table("sessions", "domain_sessionid, page_views, engaged_time_in_s, absolute_time_in_s, "
                     "first_page_urlpath, last_page_urlpath, last_page_title") == [
        ("s1", 2, 15, 60, "/home", "/cart", "Cart")]
    assert web.table("users", "domain_userid, sessions, page_views, engaged_time_in_s") == [("u1", 1, 2, 15)]


def test_scroll_offsets_are_clamped_to_the_document(web):
    web.insert([ev("e1", "page_view", at(0), doc_height=1000),
                ev("e2", "page_ping", at(11), doc_height=1000, pp_yoffset_min=-50, pp_yoffset_max=9000)])
    web.run()
    assert web.table("page_views", "vertical_pixels_scrolled, vertical_percentage_scrolled, engaged_time_in_s") == [
        (1000, 100, 5)]


def test_users_with_several_sessions_and_devices(web):
    web.insert([
        ev("a1", "page_view", at(0), session="s1", user="d1", pv="p1", user_id="alice"),
        ev("a2", "page_view", at(hours=5), session="s2", user="d1", pv="p2", page_urlpath="/later"),
        ev("b1", "page_view", at(hours=1), session="s3", user="d2", pv="p3", user_id="alice"),
        ev("c1", "page_view", at(hours=2), session="s4", user="d3", pv="p4", user_id=""),
        ev("c2", "page_view", at(hours=7), session="s5", user="d3", pv="p5", page_urlpath="/last"),
    ])
    web.run()
    assert web.table("sessions", "domain_sessionid, domain_userid, user_id, page_views")[:3] == [
        ("s1", "d1", "alice", 1), ("s2", "d1", None, 1), ("s3", "d2", "alice", 1)]
    # a user's id is the newest non-empty one of their sessions (d1's latest session has none)
    assert web.table("users", "domain_userid, user_id, sessions, page_views, first_page_urlpath, "
                     "last_page_urlpath") == [
        ("d1", "alice", 2, 2, "/home", "/later"), ("d2", "alice", 1, 1, "/home", "/home"),
        ("d3", None, 2, 2, "/home", "/last")]


def test_link_clicks_and_transactions_are_not_page_views(web):
    web.insert([
        ev("e1", "page_view", at(0)),
        ev("e2", "link_click", at(5), unstruct_event='{"data":{"data":{"targetUrl":"https://x.example"}}}'),
        ev("e3", "transaction", at(8), tr_orderid="o1", tr_total=12.5),
    ])
    web.run()
    assert web.table("page_views", PV) == [("pv1", "s1", 1, 1, 0)]
    assert web.table("sessions", "page_views") == [(1,)]


def test_marketing_and_referrer_come_from_the_first_page_view(web):
    web.insert([
        ev("e1", "page_view", at(0), mkt_medium="cpc", mkt_source="google", mkt_campaign="spring",
           refr_medium="search", refr_source="Google", page_referrer="https://www.google.com/"),
        ev("e2", "page_view", at(30), pv="pv2", mkt_medium="email", refr_medium="internal"),
    ])
    web.run()
    expected = [("s1", "cpc", "google", "spring", "search", "Google")]
    assert web.table("sessions", "domain_sessionid, mkt_medium, mkt_source, mkt_campaign, refr_medium, "
                     "refr_source") == expected
    assert web.table("users", "domain_userid, mkt_medium, mkt_source, mkt_campaign, refr_medium, "
                     "refr_source") == [("u1", *expected[0][1:])]


@pytest.mark.parametrize(("bot_filter", "expected"), [(True, [("pv1",)]), (False, [("pv1",), ("pv2",)])])
def test_bots_are_filtered_by_user_agent(project, bot_filter, expected):
    web = web_with(project, ua_bot_filter=bot_filter)
    web.insert([ev("e1", "page_view", at(0)),
                ev("e2", "page_view", at(0), session="s2", user="crawler", pv="pv2",
                   useragent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")])
    web.run()
    assert web.table("page_views", "page_view_id") == expected


def test_events_sent_too_late_are_left_out(web):
    web.insert([ev("e1", "page_view", at(0)),
                ev("e2", "page_view", at(0, minutes=2), pv="pv2",
                   dvce_created_tstamp=at(days=-4), derived_tstamp=at(days=-4))])
    web.run()
    assert web.table("page_views", "page_view_id") == [("pv1",)]


def test_a_session_continued_after_days_late_allowed_keeps_its_first_part(web):
    web.insert([ev("e1", "page_view", at(0))])
    web.run()
    web.insert([ev("e2", "page_view", at(days=5), pv="pv2")])   # same session, 5 days on
    web.run()
    assert web.table("page_views", "page_view_id") == [("pv1",)]
    assert web.table("sessions", "domain_sessionid, page_views") == [("s1", 1)]


def test_late_event_in_an_open_session_updates_everything(web):
    web.insert([ev("e1", "page_view", at(0))])
    web.run()
    web.insert([ev("e2", "page_view", at(hours=2), pv="pv2", page_urlpath="/later")])
    web.run()
    assert web.table("page_views", PV) == [("pv1", "s1", 1, 2, 0), ("pv2", "s1", 2, 2, 0)]
    assert web.table("sessions", "page_views, last_page_urlpath") == [(2, "/later")]
    assert web.table("users", "sessions, page_views") == [(1, 2)]


@pytest.mark.parametrize(("mode", "expected"), [("exclude", [("pv2",)]), ("keep_first", [("pv1",), ("pv2",)])])
def test_duplicate_event_ids_with_the_same_timestamp(project, mode, expected):
    web = web_with(project, duplicates=mode)
    web.insert([ev("e1", "page_view", at(0)), ev("e1", "page_view", at(0)),
                ev("e2", "page_view", at(30), pv="pv2")])
    web.run()
    assert web.table("page_views", "page_view_id") == expected
    assert web.sql("SELECT MAX(duplicate_rows_removed) FROM derived.datamodel_metadata "
                   "WHERE module = 'base'")[0][0] == 1


def test_a_duplicate_arriving_later_removes_what_the_first_copy_built(web):
    web.insert([ev("e1", "page_view", at(0)), ev("e2", "page_view", at(30), pv="pv2")])
    web.run()
    assert web.table("page_views", "page_view_id") == [("pv1",), ("pv2",)]
    web.insert([ev("e1", "page_view", at(5))])                   # same id, another collector_tstamp
    web.run()
    assert web.table("page_views", PV) == [("pv2", "s1", 1, 1, 0)]
    assert web.table("sessions", "page_views") == [(1,)]


def test_a_session_left_without_page_views_is_dropped_downstream(web):
    web.insert([ev("e1", "page_view", at(0))])
    web.run()
    assert web.table("sessions", "domain_sessionid") == [("s1",)]
    web.insert([ev("e1", "page_view", at(1))])                   # the only page view becomes a duplicate
    web.run()
    assert web.table("page_views", "page_view_id") == []
    assert web.table("sessions", "domain_sessionid") == []
    assert web.table("users", "domain_userid") == []


def test_events_without_a_session_id_are_ignored(web):
    web.insert([ev("e1", "page_view", at(0)), ev("e2", "page_view", at(1), session=None, pv="pv2")])
    web.run()
    assert web.table("page_views", "page_view_id") == [("pv1",)]


def test_batches_loaded_out_of_order_within_the_look_back(web):
    web.insert([ev("e2", "page_view", at(hours=2), pv="pv2")])
    web.run()
    web.insert([ev("e1", "page_view", at(hours=1))])             # older events, loaded later
    web.run()
    assert web.table("page_views", PV) == [("pv1", "s1", 1, 2, 0), ("pv2", "s1", 2, 2, 0)]


def test_history_longer_than_the_update_cadence_arrives_in_rounds(web):
    web.insert([ev(f"e{d}", "page_view", at(days=d * 3), session=f"s{d}", pv=f"pv{d}") for d in range(6)])
    web.run()
    assert len(web.table("page_views", "page_view_id")) == 6
    batches = web.sql("SELECT COUNT(*) FROM derived.staged_batches WHERE module = 'base'")[0][0]
    assert batches == 2  # days 0-6, then 9-15


def test_optional_enrichment_columns_join_their_contexts(project):
    web = web_with(project, enable_iab=True, enable_ua_parser=True, enable_yauaa=True)
    web.insert([ev("e1", "page_view", at(0))])
    when = "CAST('2024-03-01 10:00:00' AS TIMESTAMP)"
    web.sql(f"INSERT INTO atomic.com_iab_snowplow_spiders_and_robots_1 (root_id, root_tstamp, spider_or_robot, "
            f"category, reason, primary_impact) VALUES ('e1', {when}, FALSE, 'BROWSER', 'PASSED_ALL', 'NONE')")
    web.sql(f"INSERT INTO atomic.com_snowplowanalytics_snowplow_ua_parser_context_1 (root_id, root_tstamp, "
            f"useragent_family, os_family, device_family) VALUES ('e1', {when}, 'Firefox', 'Linux', 'Other')")
    web.sql(f"INSERT INTO atomic.nl_basjes_yauaa_context_1 (root_id, root_tstamp, device_class, agent_name) "
            f"VALUES ('e1', {when}, 'Desktop', 'Firefox')")
    web.run()
    assert web.table("page_views", "page_view_id, spider_or_robot, category, useragent_family, ua_os_family, "
                     "device_class, agent_name") == [
        ("pv1", False, "BROWSER", "Firefox", "Linux", "Desktop", "Firefox")]


def test_page_views_with_the_same_derived_tstamp_are_ordered_by_creation_then_event_id(web):
    # All three at the same derived_tstamp; pvb was created a second earlier than the others,
    # pvc and pva at the same instant, so their event ids decide: e0 before e2.
    web.insert([
        ev("e2", "page_view", at(0), pv="pva", page_urlpath="/a"),
        ev("e1", "page_view", at(0), pv="pvb", page_urlpath="/b", dvce_created_tstamp=at(-1)),
        ev("e0", "page_view", at(0), pv="pvc", page_urlpath="/c"),
    ])
    web.run()
    assert web.table("page_views", "page_view_id, page_view_in_session_index, page_urlpath",
                     order="page_view_in_session_index") == [("pvb", 1, "/b"), ("pvc", 2, "/c"), ("pva", 3, "/a")]
    assert web.table("sessions", "first_page_urlpath, last_page_urlpath") == [("/b", "/a")]
    assert web.table("users", "first_page_urlpath, last_page_urlpath") == [("/b", "/a")]


# -- a page view's pings are those of its session -------------------------------------------
# pv1 is viewed in s1 and pinged twice there; its tab stays open past the session timeout and
# pings three more times into s2, whose only page view is pv2.
REUSED_PV_S1 = [
    ev("e1", "page_view", at(0)),
    ev("e2", "page_ping", at(12), pp_yoffset_max=600),
    ev("e3", "page_ping", at(25), pp_yoffset_max=400),
]
REUSED_PV_S2 = [
    ev("e4", "page_view", at(minutes=40), session="s2", pv="pv2", domain_sessionidx=2),
    ev("e5", "page_ping", at(minutes=40, seconds=3), session="s2", pp_yoffset_max=3000),
    ev("e6", "page_ping", at(minutes=40, seconds=17), session="s2", pp_yoffset_max=3000),
    ev("e7", "page_ping", at(minutes=40, seconds=41), session="s2", pp_yoffset_max=3000),
]


@pytest.mark.parametrize("loads", [1, 2], ids=["one-load", "two-loads"])
def test_pings_of_a_page_view_id_reused_in_a_later_session_stay_in_their_session(web, loads):
    if loads == 1:
        web.insert(REUSED_PV_S1 + REUSED_PV_S2)
    else:
        web.insert(REUSED_PV_S1)
        web.run()
        web.insert(REUSED_PV_S2)
    web.run()
    # pv1: its s1 pings at 12 s and 25 s fall in 2 heartbeat intervals: 10 * (2 - 1) + 5 = 15;
    # it ends at 25 s; scrolled to 600 px, (600 + 800) / 4000 = 35 %. The s2 pings (3000 px,
    # ending 40 min 41 s on) are not its. pv2 has no pings of its own.
    assert web.table("page_views", PV + ", end_tstamp, absolute_time_in_s, vertical_pixels_scrolled, "
                     "vertical_percentage_scrolled") == [
        ("pv1", "s1", 1, 1, 15, at(25), 25, 600, 35),
        ("pv2", "s2", 1, 1, 0, at(minutes=40), 0, 0, 20),
    ]
    assert web.table("sessions", "domain_sessionid, page_views, engaged_time_in_s, end_tstamp, "
                     "absolute_time_in_s") == [("s1", 1, 15, at(25), 25), ("s2", 1, 0, at(minutes=40), 0)]
    assert web.table("users", "domain_userid, sessions, page_views, engaged_time_in_s") == [("u1", 2, 2, 15)]


def test_enabling_an_enrichment_after_the_first_run_adds_its_columns(project):
    def iab(event_id: str, when: str, spider: bool, category: str) -> str:
        return (f"INSERT INTO atomic.com_iab_snowplow_spiders_and_robots_1 (root_id, root_tstamp, "
                f"spider_or_robot, category) VALUES ('{event_id}', CAST('{when}' AS TIMESTAMP), "
                f"{'TRUE' if spider else 'FALSE'}, '{category}')")

    web = web_with(project)
    web.insert([ev("e1", "page_view", at(0))])
    web.sql(iab("e1", "2024-03-01 10:00:00", False, "BROWSER"))
    web.run()
    web = web_with(project, enable_iab=True)
    web.insert([ev("e2", "page_view", at(hours=1), session="s2", pv="pv2")])
    web.sql(iab("e2", "2024-03-01 11:00:00", True, "SPIDER_OR_ROBOT"))
    web.run()
    # pv1 was written before IAB was on: its row keeps NULL in IAB's columns.
    assert web.table("page_views", "page_view_id, spider_or_robot, category") == [
        ("pv1", None, None), ("pv2", True, "SPIDER_OR_ROBOT")]
    web = web_with(project, enable_iab=False)          # and off again: new rows have NULL there
    web.insert([ev("e3", "page_view", at(hours=2), session="s3", pv="pv3")])
    web.sql(iab("e3", "2024-03-01 12:00:00", False, "BROWSER"))
    web.run()
    assert web.table("page_views", "page_view_id, spider_or_robot, category") == [
        ("pv1", None, None), ("pv2", True, "SPIDER_OR_ROBOT"), ("pv3", None, None)]
    assert web.table("sessions", "domain_sessionid") == [("s1",), ("s2",), ("s3",)]


def test_a_first_seen_session_longer_than_days_late_allowed_is_included_whole(project):
    web = web_with(project, update_cadence_days=30)
    web.insert([ev("e1", "page_view", at(0)),
                ev("e2", "page_view", at(days=5), pv="pv2", page_urlpath="/later")])   # 5 > 3 days
    web.run()
    assert web.table("page_views", PV) == [("pv1", "s1", 1, 2, 0), ("pv2", "s1", 2, 2, 0)]
    assert web.table("sessions", "domain_sessionid, page_views, first_page_urlpath, last_page_urlpath, "
                     "absolute_time_in_s") == [("s1", 2, "/home", "/later", 5 * 86400)]


# -- new events are found by load, each load read once --------------------------------------
def scratch_count(web: WebModel, table: str) -> int:
    return web.sql(f"SELECT COUNT(*) FROM scratch.{table}")[0][0]


def test_a_load_is_read_once_however_large(project):
    web = web_with(project, cleanup_mode="trace")       # keeps base's scratch tables to look at
    web.insert([ev(f"e{i}", "page_view", at(minutes=i), session=f"s{i}", pv=f"pv{i}") for i in range(5)])
    web.run()
    assert scratch_count(web, "base_new_event_candidates") == 0   # the last round found nothing new...
    web.insert([ev("e9", "page_view", at(hours=1), session="s9", pv="pv9")])
    web.run_once("base")
    assert scratch_count(web, "base_new_event_candidates") == 1   # ...and a new load is all it reads
    assert web.sql("SELECT events FROM derived.base_load_manifest ORDER BY load_tstamp") == [(5,), (1,)]


def test_a_load_that_commits_after_a_later_one_is_still_found(web):
    web.insert([ev("e1", "page_view", at(0))], loaded_at=at(days=30))
    web.insert([ev("e3", "page_view", at(2), session="s3", pv="pv3")], loaded_at=at(days=30, minutes=10))
    web.run()
    # It began (and was stamped) between the two loads above, but committed after base read them.
    web.insert([ev("e2", "page_view", at(1), session="s2", pv="pv2")], loaded_at=at(days=30, minutes=5))
    web.run()
    assert web.table("page_views", "page_view_id") == [("pv1",), ("pv2",), ("pv3",)]


def test_catching_up_takes_later_rounds_from_the_backlog_not_the_load(project):
    web = web_with(project, cleanup_mode="trace")
    web.insert([ev(f"e{d}", "page_view", at(days=d * 3), session=f"s{d}", pv=f"pv{d}") for d in range(6)])
    web.run_once("base")      # one round: days 0-7 staged, the events of days 9-15 wait
    assert web.sql("SELECT domain_sessionid FROM derived.base_event_backlog ORDER BY 1") == [
        ("s3",), ("s4",), ("s5",)]
    web.run_once("base")      # the next round reads no load again
    assert scratch_count(web, "base_new_event_candidates") == 0
    assert web.sql("SELECT COUNT(*) FROM derived.base_event_backlog")[0][0] == 0
    web.run()
    assert len(web.table("page_views", "page_view_id")) == 6


def test_app_ids_keep_only_the_listed_apps(project):
    web = web_with(project, app_ids=["site", "shop"])
    web.insert([ev("e1", "page_view", at(0)),
                ev("e2", "page_view", at(1), session="s2", pv="pv2", app_id="shop"),
                ev("e3", "page_view", at(2), session="s3", pv="pv3", app_id="intranet")])
    web.run()
    assert web.table("page_views", "page_view_id, app_id") == [("pv1", "site"), ("pv2", "shop")]
    assert web.table("sessions", "domain_sessionid") == [("s1",), ("s2",)]
