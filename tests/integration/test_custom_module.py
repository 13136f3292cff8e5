"""The example custom module (playbooks/custom/link_clicks) on its own, slower schedule: it
reads events_staged after page views has consumed batch after batch, and misses none."""

from __future__ import annotations

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
