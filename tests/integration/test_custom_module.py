"""The example custom module (playbooks/custom/link_clicks) on its own, slower schedule: it
reads events_staged after page views has consumed batch after batch, and misses none."""

from __future__ import annotations

from datetime import date

from tests.integration.web import WebModel, at, ev

STANDARD = ("base", "page_views", "sessions", "users")


def click(event_id: str, when, pv: str, url: str, session: str = "s1") -> dict:
    body = '{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",' \
           '"data":{"schema":"iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",' \
           f'"data":{{"targetUrl":"{url}"}}}}}}'
    return ev(event_id, "link_click", when, session=session, pv=pv, unstruct_event=body)


BATCHES = [
    [ev("e1", "page_view", at(0)), click("c1", at(5), "pv1", "https://a.example/")],
    [click("c2", at(9), "pv1", "https://b.example/"), ev("e2", "page_view", at(20), pv="pv2")],
    [ev("e3", "page_view", at(0), session="s2", user="u2", pv="pv3"),
     click("c3", at(30), "pv3", "https://c.example/", session="s2")],
]


def test_link_clicks_on_a_slower_schedule_sees_every_batch(project):
    web = WebModel(project.root, project.target_settings, custom=True)
    for batch in BATCHES:                 # page views and the rest every "15 minutes"...
        web.insert(batch)
        web.run(*STANDARD)
    backlog = web.sql("SELECT COUNT(*) FROM scratch.events_staged")[0][0]
    assert backlog > 0                    # ...their batches wait for link_clicks
    web.run("link_clicks")                # ...which runs "hourly"
    assert web.table("page_view_link_clicks", "page_view_id, domain_sessionid, link_clicks, first_target_url, "
                     "last_target_url") == [
        ("pv1", "s1", 2, "https://a.example/", "https://b.example/"),
        ("pv2", "s1", 0, None, None),
        ("pv3", "s2", 1, "https://c.example/", "https://c.example/"),
    ]
    assert web.sql("SELECT COUNT(*) FROM scratch.events_staged")[0][0] == 0   # every consumer is past
    assert len(web.table("page_views", "page_view_id")) == 3


# History for a backfill: what base staged, and what it left out.
# - s1: pv1 with one click (c1); click c2 was sent five days after it was created (too late).
# - then s1 goes on four days later (pv2, click c3): past days_late_allowed after its known
#   start, so base leaves that part out.
# - s2 (new, four days on): pv3 with clicks c4 and c6; c5 comes twice (duplicates: exclude);
#   a second copy of c6 was sent too late, so only the first copy counts and c6 is no duplicate.
HISTORY = [
    [ev("e1", "page_view", at(0)), click("c1", at(5), "pv1", "https://a.example/"),
     {**click("c2", at(9), "pv1", "https://late.example/"), "dvce_sent_tstamp": at(days=5, seconds=9)}],
    [ev("e2", "page_view", at(days=4), pv="pv2"), click("c3", at(days=4, seconds=5), "pv2", "https://x.example/"),
     ev("e3", "page_view", at(days=4), session="s2", user="u2", pv="pv3"),
     click("c4", at(days=4, seconds=10), "pv3", "https://c.example/", session="s2"),
     click("c5", at(days=4, seconds=15), "pv3", "https://dup.example/", session="s2"),
     click("c5", at(days=4, seconds=15), "pv3", "https://dup.example/", session="s2"),
     click("c6", at(days=4, seconds=20), "pv3", "https://d.example/", session="s2"),
     {**click("c6", at(days=4, seconds=20), "pv3", "https://d.example/", session="s2"),
      "dvce_created_tstamp": at(days=-1)}],
]
LINK_CLICKS = "page_view_id, domain_sessionid, link_clicks, first_target_url, last_target_url"


def test_a_module_backfilled_over_history_equals_it_enabled_from_the_start(project, tmp_path):
    from_start = WebModel(tmp_path / "from-start", project.target_settings, custom=True,
                          variables={"entropy": "_a"})
    later = WebModel(tmp_path / "later", project.target_settings, custom=True, variables={"entropy": "_b"},
                     modules={"link_clicks": {"enabled": False}})
    for batch in HISTORY:
        for web in (from_start, later):
            web.insert(batch)
            web.run()
    later = WebModel(tmp_path / "later", project.target_settings, custom=True, variables={"entropy": "_b"})
    later.backfill("link_clicks", date(2024, 3, 1))
    expected = [("pv1", "s1", 1, "https://a.example/", "https://a.example/"),
                ("pv3", "s2", 2, "https://c.example/", "https://d.example/")]
    assert from_start.table("page_view_link_clicks", LINK_CLICKS) == expected
    assert later.table("page_view_link_clicks", LINK_CLICKS) == expected
