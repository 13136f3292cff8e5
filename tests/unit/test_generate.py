"""`sluice generate`: deterministic Snowplow web events with the cases real data has."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner

from sluice.cli import cli
from sluice.events.snowplow.generate import GenerateConfig, generate
from sluice.events.snowplow.generate_writers import (
    CsvFormat,
    TsvFormat,
    batch_paths,
    write_batches,
    write_csv,
    write_tsv,
)
from sluice.events.snowplow.schema import ATOMIC_COLUMNS, CONTEXTS, IAB, WEB_PAGE

SAMPLE = GenerateConfig(seed=7, users=60, days=5, events=3000, batches=4)
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$")


def write_sample(out: Path, config: GenerateConfig = SAMPLE, fmt: str = "tsv") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = batch_paths(out, config.batches, fmt)
    write_batches(generate(config), paths, TsvFormat() if fmt == "tsv" else CsvFormat())
    return paths


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def web_page_id(row: dict) -> str:
    return json.loads(row["contexts"])["data"][0]["data"]["id"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[int, dict]]:
    """(batch index, row) for every line of the sample's TSV files, parsed back."""
    rows = []
    for batch, path in enumerate(write_sample(tmp_path_factory.mktemp("tsv"))):
        for line in path.read_text(encoding="utf-8").splitlines():
            rows.append((batch, dict(zip(ATOMIC_COLUMNS, line.split("\t"), strict=True))))
    return rows


@pytest.fixture(scope="module")
def events(sample: list[tuple[int, dict]]) -> list[dict]:
    """One row per event id (the first copy)."""
    first: dict[str, dict] = {}
    for _, row in sample:
        first.setdefault(row["event_id"], row)
    return list(first.values())


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    one = [p.read_bytes() for p in write_sample(tmp_path / "one")]
    two = [p.read_bytes() for p in write_sample(tmp_path / "two")]
    other = [p.read_bytes() for p in write_sample(tmp_path / "three", replace(SAMPLE, seed=SAMPLE.seed + 1))]
    assert one == two
    assert one != other


def test_every_line_has_131_fields_and_well_formed_values(tmp_path: Path) -> None:
    for path in write_sample(tmp_path):
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            assert len(fields) == 131
            row = dict(zip(ATOMIC_COLUMNS, fields, strict=True))
            for column in ("collector_tstamp", "dvce_created_tstamp", "dvce_sent_tstamp", "derived_tstamp",
                           "etl_tstamp"):
                assert STAMP.match(row[column]), (column, row[column])
            assert uuid.UUID(row["event_id"]).version == 4
            assert row["platform"] == "web" and row["app_id"]


def test_size_is_about_what_was_asked(sample: list[tuple[int, dict]]) -> None:
    assert 0.7 * SAMPLE.events < len(sample) < 1.3 * SAMPLE.events
    assert {batch for batch, _ in sample} == set(range(SAMPLE.batches))


def test_derived_tstamp_is_collector_minus_device_delay(sample: list[tuple[int, dict]]) -> None:
    for _, row in sample:
        delay = ts(row["dvce_sent_tstamp"]) - ts(row["dvce_created_tstamp"])
        assert ts(row["derived_tstamp"]) == ts(row["collector_tstamp"]) - delay
        assert ts(row["etl_tstamp"]) > ts(row["collector_tstamp"])


def test_page_views_have_their_web_page_context(events: list[dict]) -> None:
    views = [e for e in events if e["event_name"] == "page_view"]
    assert views
    for view in views:
        assert (view["event"], view["event_vendor"], view["event_format"], view["event_version"]) == (
            "page_view", "com.snowplowanalytics.snowplow", "jsonschema", "1-0-0")
        context = json.loads(view["contexts"])
        assert context["schema"] == "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
        assert context["data"][0]["schema"] == "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
        assert view["page_url"].startswith(f"https://{view['page_urlhost']}{view['page_urlpath']}")
    assert len({web_page_id(v) for v in views}) == len(views)


def test_pings_follow_their_page_view_on_the_heartbeat(events: list[dict]) -> None:
    views = {web_page_id(e): e for e in events if e["event_name"] == "page_view"}
    pings = defaultdict(list)
    for e in events:
        if e["event_name"] == "page_ping":
            pings[web_page_id(e)].append(e)
    assert pings and set(pings) <= set(views)
    scrolled = False
    for page_view_id, group in pings.items():
        start = ts(views[page_view_id]["dvce_created_tstamp"])
        group.sort(key=lambda e: e["dvce_created_tstamp"])
        for k, ping in enumerate(group):
            after = ts(ping["dvce_created_tstamp"]) - start
            assert timedelta(seconds=5) <= after - timedelta(seconds=10 * k) < timedelta(seconds=6)
        for column in ("pp_yoffset_min", "pp_yoffset_max"):
            offsets = [int(p[column]) for p in group]
            assert offsets == sorted(offsets)
            scrolled = scrolled or offsets[-1] > 0
        assert all(int(p["pp_yoffset_min"]) <= int(p["pp_yoffset_max"]) for p in group)
        assert all(p["doc_height"] and p["br_viewheight"] and p["pp_xoffset_min"] == "0" for p in group)
    assert scrolled


def test_link_clicks_and_transactions_carry_the_page_context(events: list[dict]) -> None:
    clicks = [e for e in events if e["event_name"] == "link_click"]
    transactions = [e for e in events if e["event_name"] == "transaction"]
    assert clicks and transactions
    for click in clicks:
        event = json.loads(click["unstruct_event"])
        assert click["event"] == "unstruct" and click["event_version"] == "1-0-1"
        assert event["data"]["schema"] == "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
        assert event["data"]["data"]["targetUrl"].startswith("https://")
        assert web_page_id(click)
    for transaction in transactions:
        assert transaction["event"] == "transaction" and float(transaction["tr_total"]) > 0
        assert transaction["tr_orderid"] and transaction["tr_currency"] == "USD" and web_page_id(transaction)


def test_bots_have_bot_user_agents_and_iab_says_so(events: list[dict]) -> None:
    def spider(row: dict) -> bool:
        entries = json.loads(row["derived_contexts"])["data"]
        return next(e["data"]["spiderOrRobot"] for e in entries if IAB.matches(e["schema"]))

    bots = [e for e in events if re.search("bot|crawl|spider", e["useragent"], re.IGNORECASE)]
    assert bots and len(bots) < len(events)
    assert all(spider(e) for e in bots)
    assert not any(spider(e) for e in events if e not in bots)


def test_enrichment_contexts_on_every_event_unless_turned_off(events: list[dict]) -> None:
    schemas = {tuple(d["schema"] for d in json.loads(e["derived_contexts"])["data"]) for e in events}
    assert schemas == {("iglu:com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0",
                        "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0",
                        "iglu:nl.basjes/yauaa_context/jsonschema/1-0-0")}
    plain = GenerateConfig(seed=7, users=5, events=200, enrichments=False)
    assert all(set(e["_contexts"]) == {WEB_PAGE.table} for _, e in generate(plain))


def test_late_events_sent_more_than_three_days_after_creation(sample: list[tuple[int, dict]]) -> None:
    late = [(b, r) for b, r in sample if ts(r["dvce_sent_tstamp"]) - ts(r["dvce_created_tstamp"]) > timedelta(days=3)]
    assert late
    period = timedelta(days=SAMPLE.days) / SAMPLE.batches
    start = datetime(2024, 1, 1)
    assert all(b > min((ts(r["derived_tstamp"]) - start) // period, SAMPLE.batches - 2) for b, r in late)


def test_duplicate_event_ids_same_and_different_collector_tstamp(sample: list[tuple[int, dict]]) -> None:
    copies = defaultdict(list)
    for batch, row in sample:
        copies[row["event_id"]].append((batch, row["collector_tstamp"]))
    duplicated = [c for c in copies.values() if len(c) > 1]
    assert any(len({t for _, t in c}) == 1 for c in duplicated)
    assert any(len({t for _, t in c}) > 1 and len({b for b, _ in c}) > 1 for c in duplicated)


def test_null_session_ids(events: list[dict]) -> None:
    assert any(e["domain_sessionid"] == "" for e in events)
    assert sum(e["domain_sessionid"] == "" for e in events) < len(events) / 20


def test_batches_arrive_out_of_order(sample: list[tuple[int, dict]]) -> None:
    newest = defaultdict(str)
    for batch, row in sample:
        newest[batch] = max(newest[batch], row["collector_tstamp"])
    assert any(row["collector_tstamp"] < newest[earlier] for batch, row in sample for earlier in range(batch))


def test_users_with_several_devices_linked_by_user_id(events: list[dict]) -> None:
    devices = defaultdict(set)
    for e in events:
        if e["user_id"]:
            devices[e["user_id"]].add(e["domain_userid"])
    assert any(len(d) > 1 for d in devices.values())
    assert all(e["network_userid"] and e["domain_userid"] for e in events)


def test_sessions_index_per_device_and_split_by_30_minutes_idle(events: list[dict]) -> None:
    sessions = defaultdict(list)
    for e in events:
        if e["domain_sessionid"]:
            sessions[(e["domain_userid"], int(e["domain_sessionidx"]), e["domain_sessionid"])].append(
                ts(e["dvce_created_tstamp"]))
    by_device = defaultdict(list)
    for (device, index, _), times in sessions.items():
        by_device[device].append((index, min(times), max(times)))
    assert any(len(s) > 1 for s in by_device.values())
    for device_sessions in by_device.values():
        device_sessions.sort()
        indexes = [i for i, _, _ in device_sessions]
        assert len(set(indexes)) == len(indexes) and indexes == sorted(indexes)
        for (_, _, end), (_, start, _) in pairwise(device_sessions):
            assert start - end > timedelta(minutes=30)


def test_referrer_and_marketing_fields_on_landing_pages(events: list[dict]) -> None:
    views = [e for e in events if e["event_name"] == "page_view"]
    assert any(v["mkt_medium"] and v["mkt_source"] and v["mkt_campaign"] and v["page_urlquery"] for v in views)
    assert {"internal", "search", "social"} <= {v["refr_medium"] for v in views}
    assert any(v["refr_term"] for v in views)
    assert all(v["geo_country"] and v["br_family"] and v["os_family"] and v["dvce_type"] for v in views)


def test_csv_has_context_columns_and_parses_back(tmp_path: Path) -> None:
    paths = write_sample(tmp_path, fmt="csv")
    reader = csv.DictReader(io.StringIO(paths[0].read_text(encoding="utf-8")))
    assert reader.fieldnames is not None
    for context in CONTEXTS:
        assert context.csv_column() in reader.fieldnames
    assert "contexts" not in reader.fieldnames and "unstruct_event" in reader.fieldnames
    rows = list(reader)
    assert rows and all(len(r) == len(reader.fieldnames) and None not in r for r in rows)
    pages = [json.loads(r[WEB_PAGE.csv_column()]) for r in rows]
    assert all(len(p) == 1 and uuid.UUID(p[0]["id"]) for p in pages)
    assert {json.loads(r[IAB.csv_column()])[0]["spiderOrRobot"] for r in rows} <= {True, False}
    assert {r["br_cookies"] for r in rows} == {"true"}
    clicks = [r for r in rows if r["event_name"] == "link_click"]
    assert clicks and all(json.loads(r["unstruct_event"])["data"]["data"]["targetUrl"] for r in clicks)


def test_csv_lines_are_what_csv_writer_writes(tmp_path: Path) -> None:
    events = [e for _, e in generate(GenerateConfig(seed=3, users=10, events=500))]
    events[0] = {**events[0], "page_title": 'Say "hi", then\nleave', "br_lang": ""}
    form = CsvFormat()
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(form.header().split(","))
    for e in events:
        values = next(csv.reader([form.line(e)]))
        writer.writerow(values)
    path = tmp_path / "events.csv"
    assert write_csv(events, path) == len(events)
    assert path.read_text(encoding="utf-8") == expected.getvalue()
    assert next(csv.DictReader(io.StringIO(expected.getvalue())))["page_title"] == 'Say "hi", then\nleave'


def reference_tsv_line(event: dict) -> str:
    """The enriched TSV line of an event, made the slow and obvious way."""
    def sdj(contexts: list) -> str:
        data = [{"schema": f"iglu:{c.vendor}/{c.name}/jsonschema/1-0-0", "data": item}
                for c in contexts for item in event["_contexts"].get(c.table, [])]
        envelope = {"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0", "data": data}
        return json.dumps(envelope, separators=(",", ":")) if data else ""

    values = {**event, "contexts": sdj([WEB_PAGE]), "derived_contexts": sdj(CONTEXTS[1:])}
    texts = ["" if v is None else ("1" if v else "0") if isinstance(v, bool) else str(v)
             for v in (values[c] for c in ATOMIC_COLUMNS)]
    return "\t".join(texts)


def test_tsv_lines_equal_the_obvious_formatting() -> None:
    form = TsvFormat()
    for config in (SAMPLE, replace(SAMPLE, seed=1, events=1000, enrichments=False)):
        for _, event in generate(config):
            assert form.line(event) == reference_tsv_line(event)


def test_tsv_fields_lose_tabs_and_line_breaks(tmp_path: Path) -> None:
    _, event = next(generate(GenerateConfig(seed=3, users=2, events=50)))
    path = tmp_path / "odd.tsv"
    write_tsv([{**event, "page_title": "a\tb\nc\rd"}, event], path)
    lines = path.read_text(encoding="utf-8").split("\n")
    assert len(lines) == 3 and lines[2] == ""
    assert dict(zip(ATOMIC_COLUMNS, lines[0].split("\t"), strict=True))["page_title"] == "a b c d"
    assert dict(zip(ATOMIC_COLUMNS, lines[1].split("\t"), strict=True))["page_title"] == event["page_title"]


def test_write_tsv_matches_batch_files(tmp_path: Path) -> None:
    config = GenerateConfig(seed=2, users=10, events=400, batches=1)
    assert write_tsv((e for _, e in generate(config)), tmp_path / "one.tsv") > 0
    paths = write_sample(tmp_path / "batches", config)
    assert (tmp_path / "one.tsv").read_bytes() == paths[0].read_bytes()


@pytest.mark.parametrize("bad", [{"users": 0}, {"batches": 0}, {"late_fraction": 1.5}])
def test_config_rejects_nonsense(bad: dict) -> None:
    with pytest.raises(ValueError):
        GenerateConfig(**bad)


def test_cli_writes_batch_files_and_a_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", "--out", str(tmp_path), "--events", "800", "--users", "20",
                                      "--batches", "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch-0001.tsv", "batch-0002.tsv", "batch-0003.tsv"]
    assert re.search(r"generated [\d,]+ events, 20 users, [\d,]+ sessions in 3 tsv files", result.output)
    result = CliRunner().invoke(cli, ["generate", "--out", str(tmp_path / "c"), "--events", "300", "--users", "5",
                                      "--format", "csv", "--no-enrichments", "--batches", "1"])
    assert result.exit_code == 0, result.output
    header = (tmp_path / "c" / "batch-0001.csv").read_text(encoding="utf-8").splitlines()[0]
    assert WEB_PAGE.csv_column() in header and IAB.csv_column() not in header


def test_cli_help_lists_the_options() -> None:
    result = CliRunner().invoke(cli, ["generate", "--help"])
    assert result.exit_code == 0
    for option in ("--seed", "--users", "--days", "--events", "--batches", "--format", "--out", "--no-enrichments"):
        assert option in result.output
