"""`sluice report` on DuckDB and PostgreSQL, read as a person reads it: the page rendered by
headless Chromium, its charts present and drawn, its numbers equal to counts taken from the
database by the queries written here, its screenshot kept under the repository's `.sluice/`
(git-ignored) for CI to keep.

One project holds both families and the repository's example custom module with two data
checks, on generated data loaded in batches, so the page has run histories of several runs,
a backlog (a last load only base has read), check results and every headline chart.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from sluice.api import Sluice
from sluice.report import write_report
from tests.integration.browser import Element, chromium, rendered_dom, screenshot
from tests.integration.rudder import MODULES

REPO = Path(__file__).resolve().parents[2]
WEB = ("base", "page_views", "sessions", "users")
RUDDER = MODULES  # every module of the family, as it grows
#: the engaged-time buckets the web family's report declares: (lowest, below), as the page lists them
BUCKETS = {"0 s": (0, 1), "1-29 s": (1, 30), "30-59 s": (30, 60), "1-3 min": (60, 180), "3-10 min": (180, 600),
           "10 min+": (600, None)}
LINK_CLICKS_MAIN = """\
steps:
  - name: this-run
    queries: [{name: link-clicks-this-run, file: 01-main/01-link-clicks-this-run.sql}]
  - name: upsert
    queries: [{name: upsert, file: 01-main/02-upsert.sql}]
  - name: watch
    checks:
      - {name: clicks_have_a_page_view, file: 01-main/03-clicks-have-a-page-view.sql, severity: warn}
      - {name: clicked_page_views, file: 01-main/04-clicked-page-views.sql, severity: warn}
"""


@pytest.fixture
def browser() -> str:
    """Chromium, looked for before a project is built: a missing one fails (CI) or skips at once."""
    return chromium()


@pytest.fixture
def shop(project):
    """Generated Snowplow events in three batches and RudderStack tables in two, the first two
    Snowplow batches run through every module, the third read by base alone."""
    for folder in ("playbooks/custom", "sql/custom"):
        shutil.copytree(REPO / folder, project.root / folder)
    project.write("playbooks/custom/link_clicks/01-link-clicks-main.yml", LINK_CLICKS_MAIN)
    project.write("sql/custom/link_clicks/01-main/03-clicks-have-a-page-view.sql",
                  "SELECT domain_sessionid FROM {{ table(output_schema, 'page_view_link_clicks') }} "
                  "WHERE page_view_id IS NULL")
    project.write("sql/custom/link_clicks/01-main/04-clicked-page-views.sql",
                  "SELECT page_view_id, link_clicks FROM {{ table(output_schema, 'page_view_link_clicks') }} "
                  "WHERE link_clicks > 0")
    project.write_config(models=["snowplow-web", "rudderstack"])
    sluice = project.sluice
    assert sluice("generate", "--out", "events", "--events", "1500", "--users", "60", "--days", "3",
                  "--batches", "3", "--seed", "7").returncode == 0
    assert sluice("generate", "--source", "rudderstack", "--out", "rudder", "--visitors", "40", "--days", "3",
                  "--batches", "2", "--seed", "7").returncode == 0
    for batch in ("batch-0001.tsv", "batch-0002.tsv"):
        assert sluice("load", f"events/{batch}").returncode == 0
        assert sluice("run", "--catch-up").returncode == 0
    assert sluice("load", "--source", "rudderstack", "rudder").returncode == 0
    assert sluice("run", "--catch-up").returncode == 0
    assert sluice("load", "events/batch-0003.tsv").returncode == 0
    assert sluice("run", "base").returncode == 0
    return project


def test_the_page_shows_what_the_database_holds(browser, shop):
    result = shop.sluice("report")
    page = shop.root / ".sluice" / "report.html"
    assert result.returncode == 0 and result.stdout.strip() == f"wrote {page}"
    assert_self_contained(page.read_text())
    dom = rendered_dom(page)

    assert_daily_traffic(shop, chart(dom, "snowplow-web.daily_traffic"))
    assert_engaged_time(shop, chart(dom, "snowplow-web.engaged_time"))
    assert_rudderstack_days(shop, chart(dom, "rudderstack.daily_activity"), chart(dom, "rudderstack.bounce_rate"))
    modules = (*WEB, *RUDDER, "link_clicks")
    for module in modules:
        assert_run_history(shop, dom, module)
    assert_backlog(shop, dom)
    assert_checks(shop, dom)
    assert [lock.text() for lock in dom.all("span", class_="lock")] == ["lock: free"] * len(modules)

    png = screenshot(page, REPO / ".sluice" / f"report-{shop.kind}.png")
    assert_charts_painted(png)

    # The same project while a run of users holds its lock, with a table a chart reads gone (as
    # in a project that enabled the family and has not run it since): in the same fixture, as
    # building the project is most of the test's time.
    assert_lock_and_missing_table(shop)


def assert_lock_and_missing_table(shop) -> None:
    with shop.target() as target:
        target.connect().execute("DROP TABLE derived.rs_daily_metrics")
    out = shop.root / "elsewhere" / "page.html"
    with Sluice(shop.root) as api:
        api.open()
        api.lifecycle.locks.acquire("users", "a-run-in-progress")
        write_report(api, out, runs=2)
    dom = rendered_dom(out)
    users = dom.one("article", data_module="users")
    lock = users.one("span", class_="lock").text()
    assert re.fullmatch(r"lock: held by run a-run-in-progress on \S+ \(pid \d+\) since \S+ \S+", lock), lock
    overview = dom.one("table", class_="overview").one("tr", data_module="users")
    assert "held" in overview.text()
    # runs=2: each module's latest two runs
    assert len(users.one("table", class_="runs").table()) == 2
    for key in ("rudderstack.daily_activity", "rudderstack.bounce_rate"):
        figure = dom.one("figure", data_chart=key)
        assert not figure.all("svg")
        assert figure.one("p", class_="missing").text() == \
            "not built yet: derived.rs_daily_metrics (run rs_daily_metrics)"


def test_a_project_not_run_yet_shows_its_enabled_charts_waiting(browser, project):
    """Nothing has run; rs_daily_metrics is disabled, so the RudderStack family has no chart
    left and no section; the web family's charts wait for their tables."""
    project.write_config(models=["snowplow-web", "rudderstack"], modules={"rs_daily_metrics": {"enabled": False}})
    assert project.sluice("report", "--out", "page.html").returncode == 0
    dom = rendered_dom(project.root / "page.html")
    assert [s.attrs["data-family"] for s in dom.all("section", class_="family")] == ["snowplow-web"]
    assert [f.one("p", class_="missing").text() for f in dom.all("figure", class_="chart")] == [
        "not built yet: derived.page_views, derived.sessions (run page_views, sessions)",
        "not built yet: derived.page_views (run page_views)"]
    overview = dom.one("table", class_="overview").table()
    assert [row[0] for row in overview] == [*WEB, *(m for m in RUDDER if m != "rs_daily_metrics")]
    assert all(row[2] == "no run yet" for row in overview)
    assert not dom.all("svg")


# -- what the page must show ---------------------------------------------------------------

def assert_self_contained(html: str) -> None:
    """Nothing to fetch: no script, no linked file, no address a browser would load."""
    assert "<script" not in html.lower()
    assert not re.search(r"""\s(?:src|href)\s*=\s*["'](?!#)""", html), "a link to something outside the page"
    assert not re.search(r"@import|url\(\s*['\"]?(?!#)", html), "a style that loads something"


def chart(dom: Element, key: str) -> Element:
    figure = dom.one("figure", data_chart=key)
    assert figure.all("svg"), f"{key}: no chart drawn"
    return figure


def numbers(figure: Element) -> list[list[str]]:
    return figure.one("table", class_="numbers").table()


def count(text: str) -> int:
    return int(text.replace(",", ""))


def points(figure: Element) -> int:
    """The data points a chart drew: a dot per value of a line, a bar per value of a bar chart."""
    return len(figure.all("circle", class_="dot")) + len(figure.all("rect", class_="rect"))


def assert_daily_traffic(shop, figure: Element) -> None:
    expected: dict[date, list[int]] = {}
    for day, views, users in shop.query("SELECT CAST(start_tstamp AS DATE), COUNT(*), COUNT(DISTINCT domain_userid) "
                                        "FROM derived.page_views GROUP BY 1"):
        expected.setdefault(day, [0, 0, 0])[0:3:2] = [views, users]
    for day, sessions in shop.query("SELECT CAST(start_tstamp AS DATE), COUNT(*) FROM derived.sessions GROUP BY 1"):
        expected.setdefault(day, [0, 0, 0])[1] = sessions
    shown = {date.fromisoformat(day): [count(v) for v in values] for day, *values in numbers(figure)}
    assert shown == expected and len(shown) >= 2
    assert points(figure) == 3 * len(shown)


def assert_engaged_time(shop, figure: Element) -> None:
    engaged = [float(t) for (t,) in shop.query("SELECT engaged_time_in_s FROM derived.page_views")]
    expected = [[label, sum(1 for t in engaged if t >= low and (below is None or t < below))]
                for label, (low, below) in BUCKETS.items()]
    assert [[label, count(n)] for label, n in numbers(figure)] == expected
    assert sum(n for _, n in expected) == len(engaged) > 0
    assert points(figure) == len(BUCKETS)


def assert_rudderstack_days(shop, activity: Element, bounces: Element) -> None:
    rows = shop.query('SELECT "date", dau, total_sessions, bounce_rate FROM derived.rs_daily_metrics ORDER BY 1')
    assert len(rows) >= 3
    assert numbers(activity) == [[str(day), f"{dau:,}", f"{sessions:,}"] for day, dau, sessions, _ in rows]
    assert numbers(bounces) == [[str(day), "–" if rate is None else f"{rate:.1%}"] for day, _, _, rate in rows]
    assert points(activity) == 2 * len(rows)
    assert points(bounces) == sum(1 for *_, rate in rows if rate is not None)


def assert_run_history(shop, dom: Element, module: str) -> None:
    runs = shop.query(f"SELECT run_id, outcome, rows_this_run FROM derived.datamodel_metadata "
                      f"WHERE module = '{module}' ORDER BY run_start_tstamp DESC")
    article = dom.one("article", data_module=module)
    table = article.one("table", class_="runs").table()
    shown = [(run_id, outcome, count(rows)) for _, run_id, outcome, rows, _ in table]
    assert shown == [(run_id, outcome, rows) for run_id, outcome, rows in runs], module
    assert len(runs) >= 2, module
    for measure in ("rows", "seconds"):
        assert len(article.one("figure", data_chart=f"{measure}.{module}").all("rect", class_="rect")) == len(runs)


def assert_backlog(shop, dom: Element) -> None:
    """The batch only base has read waits for page_views and link_clicks: as many rows as
    events_staged holds past each one's offset."""
    for consumer in ("page_views", "link_clicks"):
        (consumed,) = shop.query(f"SELECT consumed_batch FROM derived.staged_offsets WHERE consumer = '{consumer}' "
                                 "AND staged_table = 'events_staged'")[0]
        (waiting,) = shop.query(f"SELECT COUNT(*) FROM scratch.events_staged WHERE batch_id > {consumed}")[0]
        backlog = dom.one("article", data_module=consumer).one("table", class_="backlog").table()
        assert backlog == [["events_staged", str(consumed), "1", f"{waiting:,}"]] and waiting > 0
        overview = dom.one("table", class_="overview").one("tr", data_module=consumer).all("td")
        assert count(overview[6].text()) == waiting
    sessions = dom.one("article", data_module="sessions").one("table", class_="backlog").table()
    assert [row[2:] for row in sessions] == [["0", "0"]]


def assert_checks(shop, dom: Element) -> None:
    (clicked,) = shop.query("SELECT COUNT(*) FROM derived.page_view_link_clicks WHERE link_clicks > 0")[0]
    assert clicked > 0
    checks = dom.one("article", data_module="link_clicks").one("table", class_="checks")
    assert [row[:4] for row in checks.table() if len(row) > 1] == [
        ["clicked_page_views", "warn", "failed", f"{clicked:,}"],
        ["clicks_have_a_page_view", "warn", "pass", "0"]]
    assert len(checks.all("pre", class_="sample")) == 1  # the failing check's rows, as dq_results kept them
    badges = dom.one("table", class_="overview").one("tr", data_module="link_clicks").all("span", class_="badge")
    assert [b.attrs["class"] for b in badges][-2:] == ["badge warn", "badge pass"]


def assert_charts_painted(png: Path) -> None:
    """The screenshot holds the series' colours: the browser drew the bars (blue, the first
    series) and the lines of the second series (orange: thin and anti-aliased, so fewer
    pixels are near the colour itself)."""
    image = Image.open(png).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    painted = {rgb: n for n, rgb in colours}

    def near(hex_colour: str) -> int:
        target = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return sum(n for rgb, n in painted.items() if max(abs(a - b) for a, b in zip(rgb, target, strict=True)) <= 40)

    assert near("#1f6fb4") > 5000, "no blue series painted"
    assert near("#e6772e") > 100, "no orange series painted"
