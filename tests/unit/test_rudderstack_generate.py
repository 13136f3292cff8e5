"""`sluice generate --source rudderstack`: deterministic RudderStack load batches with every hazard
of real RudderStack data, checked on the files as a loader would read them."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from sluice.events.rudderstack import writer
from sluice.events.rudderstack.generate import HAZARDS, GenerateConfig, generate
from sluice.events.rudderstack.schema import EVENT_TABLES, TABLES, table_for_event
from sluice.events.rudderstack.writer import write_batches
from tests.cli import invoke

SMALL = GenerateConfig(seed=7, visitors=50, days=3, batches=4)
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
DATETIMES = ("timestamp", "original_timestamp", "sent_at", "received_at", "uuid_ts")
#: tables whose rows are a visitor's events, for sessionizing (the seeds use tracks, or tracks + pages)
EVENTS = ("tracks", "pages", "screens", "identifies")
_EPOCH = datetime(1970, 1, 1)


def ms(text: str) -> int:
    """Epoch milliseconds of an ISO-8601 UTC text with milliseconds (no float rounding)."""
    return (datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ") - _EPOCH) // timedelta(milliseconds=1)


def write_sample(out: Path, config: GenerateConfig = SMALL) -> dict[str, list[int]]:
    return write_batches(generate(config), out, config.batches)


def read_batches(out: Path) -> tuple[list[tuple[int, str, dict]], dict[tuple[int, str], list[str]]]:
    """(batch index, table, row) of every CSV line, and each file's header, as a loader reads them:
    a column of the table that the file lacks is empty (NULL)."""
    rows, headers = [], {}
    for folder in sorted(out.glob("batch-*")):
        batch = int(folder.name.removeprefix("batch-")) - 1
        for path in sorted(folder.glob("*.csv")):
            empty = dict.fromkeys(TABLES[path.stem].column_names, "")
            with open(path, encoding="utf-8", newline="") as f:
                reader = csv.DictReader(f)
                rows.extend((batch, path.stem, {**empty, **row}) for row in reader)
                headers[batch, path.stem] = list(reader.fieldnames or [])
    return rows, headers


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[tuple[int, str, dict]], dict]:
    out = tmp_path_factory.mktemp("rs")
    write_sample(out)
    return read_batches(out)


@pytest.fixture(scope="module")
def rows(written: tuple) -> list[tuple[int, str, dict]]:
    return written[0]


@pytest.fixture(scope="module")
def headers(written: tuple) -> dict[tuple[int, str], list[str]]:
    return written[1]


def first_copies(rows: list[tuple[int, str, dict]], tables: tuple[str, ...]) -> list[dict]:
    """One row per (table, id): the copy received first, as the spec's dedup keeps."""
    kept: dict[tuple[str, str], dict] = {}
    for _, table, row in rows:
        if table in tables:
            key = (table, row["id"])
            if key not in kept or row["received_at"] < kept[key]["received_at"]:
                kept[key] = row
    return list(kept.values())


def streams(rows: list[tuple[int, str, dict]], key: str = "anonymous_id") -> dict[str, list[dict]]:
    """Deduplicated events per anonymous id (or user id), ordered by timestamp then id."""
    by: dict[str, list[dict]] = defaultdict(list)
    for row in first_copies(rows, EVENTS):
        if row[key]:
            by[row[key]].append(row)
    for events in by.values():
        events.sort(key=lambda r: (r["timestamp"], r["id"]))
    return by


# Determinism, format and schema


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    def contents(out: Path, config: GenerateConfig) -> dict[str, bytes]:
        write_sample(out, config)
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    one, two = contents(tmp_path / "one", SMALL), contents(tmp_path / "two", SMALL)
    assert one == two and len(one) > 20
    assert contents(tmp_path / "three", replace(SMALL, seed=8)) != one


def test_rerun_into_the_same_folder_leaves_only_this_runs_files(tmp_path: Path) -> None:
    write_sample(tmp_path, replace(SMALL, orders_from_batch=1))
    write_sample(tmp_path)
    assert not (tmp_path / "batch-0001" / "order_completed.csv").exists()
    assert not list(tmp_path.rglob("*.part"))


def test_headers_are_rudderstack_columns_in_schema_order(headers: dict) -> None:
    assert {table for _, table in headers} == set(TABLES)
    for (_, table), header in headers.items():
        names = TABLES[table].column_names
        assert header == [n for n in names if n in header], table
        assert {"id", "timestamp", "received_at", "sent_at"} <= set(header)


def test_schema_tables_have_unique_typed_columns() -> None:
    for table in TABLES.values():
        assert len(set(table.column_names)) == len(table.column_names), table.name
        assert table.kind("timestamp") == "datetime" and table.kind("context_session_id") == "int"
    assert {t.name for t in EVENT_TABLES} >= {"product_added", "order_completed", "checkout_step_completed"}
    assert TABLES["order_completed"].kind("products") == "string"
    assert TABLES["identifies"].kind("birthday") == "datetime"


@pytest.mark.parametrize(("event", "table"), [("Order Completed", "order_completed"), ("productViewed",
                         "product_viewed"), ("identifies", "_identifies"), ("1st Purchase", "_1st_purchase"),
                         ("Checkout Step Completed", "checkout_step_completed")])
def test_event_table_names_follow_rudderstack(event: str, table: str) -> None:
    assert table_for_event(event) == table


def test_timestamps_are_iso_utc_with_milliseconds(rows: list) -> None:
    for _, table, row in rows:
        for column in DATETIMES + ("created_at", "context_traits_created_at"):
            if row.get(column):
                assert ISO_MS.match(row[column]), (table, column, row[column])
        assert row["id"] and row["timestamp"] and row["received_at"]


def test_timestamp_is_received_at_minus_device_delay(rows: list) -> None:
    explicit = []
    for _, table, row in rows:
        if not row["original_timestamp"]:
            explicit.append((table, row))
            continue
        delay = ms(row["sent_at"]) - ms(row["original_timestamp"])
        assert delay >= 0
        assert ms(row["timestamp"]) == ms(row["received_at"]) - delay
    # only the backend's backfill aliases set timestamp themselves
    assert explicit and all(t == "aliases" and r["channel"] == "server" for t, r in explicit)


def test_uuid_ts_is_the_batch_load_time(rows: list, headers: dict) -> None:
    stamped = {b for (b, _), header in headers.items() if "uuid_ts" in header}
    assert stamped == {b for b, _ in headers}  # every file of every batch carries its load time
    loads = defaultdict(set)
    for batch, _, row in rows:
        if batch in stamped:
            loads[batch].add(row["uuid_ts"])
            assert row["received_at"] <= row["uuid_ts"]
    assert all(len(times) == 1 for times in loads.values())
    assert sorted(loads, key=lambda b: loads[b].pop()) == sorted(loads)


def test_uuid_ts_can_be_left_out_of_chosen_batches(tmp_path: Path) -> None:
    write_sample(tmp_path, dataclasses.replace(SMALL, batches_without_uuid_ts=(2,)))
    _, headers = read_batches(tmp_path)
    assert {b for (b, _), header in headers.items() if "uuid_ts" not in header} == {1}  # batch 2, 0-based


def test_tracks_and_event_table_rows_share_id_and_standard_columns(rows: list) -> None:
    tracks = defaultdict(list)
    for batch, table, row in rows:
        if table == "tracks":
            tracks[batch, row["id"]].append(row)
    checked = 0
    for batch, table, row in rows:
        if table in {t.name for t in EVENT_TABLES}:
            matches = tracks[batch, row["id"]]
            assert any(all(row.get(c) == v for c, v in t.items()) for t in matches), (table, row["id"])
            checked += 1
    assert checked > 100


def test_sdk_sessions_start_with_a_flag_and_are_numbered_by_device_time(rows: list) -> None:
    sessions = defaultdict(list)
    for row in first_copies(rows, ("tracks", "pages", "screens", "identifies", "aliases")):
        if row["context_session_id"]:
            sessions[row["anonymous_id"], row["context_session_id"]].append(row)
    assert sessions
    for (_, session_id), events in sessions.items():
        events.sort(key=lambda r: (r["original_timestamp"], r["id"]))
        first = events[0]
        assert int(session_id) == ms(first["original_timestamp"]) and int(session_id) > 10**12
        assert first["context_session_start"] == "true"
        assert all(not e["context_session_start"] for e in events[1:] if e["id"] != first["id"])


# The hazards, each present in a small run


@pytest.mark.parametrize(("days", "batches"), [(3, 4), (2, 4), (3, 8), (7, 4), (14, 10)])
def test_every_hazard_is_owed_and_paid_in_small_runs(days: int, batches: int) -> None:
    for seed in range(1, 6):
        generation = generate(replace(SMALL, seed=seed, days=days, batches=batches))
        for _ in generation:
            pass
        assert generation.missing_hazards == [], seed


def test_a_run_too_short_for_some_hazards_names_them() -> None:
    tiny = generate(GenerateConfig(visitors=50, days=1, batches=1))
    first = list(tiny)
    assert {"offline", "midnight", "resend_later"} <= set(tiny.missing_hazards) <= set(HAZARDS)
    assert list(tiny) == first  # iterating again runs again, from the seed


def test_late_offline_events_arrive_days_after_their_event_time(rows: list) -> None:
    start, period = ms("2024-01-01T00:00:00.000Z"), SMALL.days * 86_400_000 // SMALL.batches
    late = [(b, r) for b, t, r in rows if r["original_timestamp"]
            and ms(r["sent_at"]) - ms(r["original_timestamp"]) > 86_400_000]
    assert late
    assert any(b >= (ms(r["timestamp"]) - start) // period + 1 for b, r in late)


def test_resent_ids_same_batch_later_batch_and_earlier_received_loaded_later(rows: list) -> None:
    copies = defaultdict(list)
    for batch, table, row in rows:
        copies[table, row["id"]].append((batch, row["received_at"], row))
    same, later, earlier = False, False, False
    for found in copies.values():
        for (b1, r1, _), (b2, r2, _) in pairwise(sorted(found, key=lambda c: c[0])):
            same |= b1 == b2
            later |= b2 > b1 and r2 > r1
            earlier |= b2 > b1 and r2 < r1
    assert same and later and earlier


def test_identify_arrives_batches_after_the_anonymous_activity(rows: list) -> None:
    first_anonymous_track = {}
    for batch, table, row in rows:
        if table == "tracks" and not row["user_id"] and row["anonymous_id"]:
            first_anonymous_track[row["anonymous_id"]] = min(batch, first_anonymous_track.get(row["anonymous_id"], 99))
    assert any(batch > first_anonymous_track.get(row["anonymous_id"], 99)
               for batch, table, row in rows if table == "identifies")


def test_alias_arrives_after_the_first_tracks_with_an_older_timestamp(rows: list) -> None:
    first_track = defaultdict(lambda: 99)
    newest_loaded = defaultdict(str)  # newest timestamp per anonymous id, per batch
    for batch, table, row in rows:
        if table == "tracks" and row["anonymous_id"]:
            first_track[row["anonymous_id"]] = min(batch, first_track[row["anonymous_id"]])
            newest_loaded[row["anonymous_id"], batch] = max(newest_loaded[row["anonymous_id"], batch],
                                                            row["timestamp"])
    late = [(b, r) for b, t, r in rows if t == "aliases" and b > first_track[r["previous_id"]]]
    assert late
    assert any(r["timestamp"] < newest_loaded[r["previous_id"], earlier]
               for b, r in late for earlier in range(b))


def test_a_shared_browser_and_users_on_several_devices(rows: list) -> None:
    users_of, devices_of = defaultdict(set), defaultdict(set)
    for _, _, row in rows:
        if row["anonymous_id"] and row["user_id"]:
            users_of[row["anonymous_id"]].add(row["user_id"])
            devices_of[row["user_id"]].add(row["anonymous_id"])
    assert any(len(u) > 1 for u in users_of.values())
    assert any(len(d) > 1 for d in devices_of.values())


def test_a_session_across_midnight(rows: list) -> None:
    dates = defaultdict(set)
    for row in first_copies(rows, EVENTS):
        if row["context_session_id"]:
            dates[row["anonymous_id"], row["context_session_id"]].add(row["timestamp"][:10])
    assert any(len(d) > 1 for d in dates.values())


def test_idle_gaps_of_exactly_1800000_and_1800001_ms(rows: list) -> None:
    found = {}
    for events in streams(rows).values():
        for a, b in pairwise(events):
            gap = ms(b["timestamp"]) - ms(a["timestamp"])
            if gap in (1_800_000, 1_800_001):
                found[gap] = (a, b)
    assert set(found) == {1_800_000, 1_800_001}
    a, b = found[1_800_000]
    assert a["context_session_id"] == b["context_session_id"] and not b["context_session_start"]
    a, b = found[1_800_001]
    assert a["context_session_id"] != b["context_session_id"] and b["context_session_start"] == "true"


def test_order_completed_appears_mid_history_and_coupon_later_still(headers: dict) -> None:
    batches = sorted(b for b, t in headers if t == "order_completed")
    assert batches and batches[0] > 0
    assert "coupon" not in headers[batches[0], "order_completed"]
    assert any("coupon" in headers[b, "order_completed"] for b in batches[1:])


def test_a_file_lacks_a_column_its_table_has_elsewhere(headers: dict) -> None:
    tracks = {b: set(h) for (b, t), h in headers.items() if t == "tracks"}
    assert any("context_locale" in h for h in tracks.values())
    assert any("context_locale" not in h for h in tracks.values())


def test_server_side_rows_with_neither_id(rows: list) -> None:
    server = [(t, r) for _, t, r in rows if r["channel"] == "server"]
    assert any(not r["anonymous_id"] and not r["user_id"] for _, r in server)
    assert all(not r.get("context_session_id") for _, r in server)


def test_identifies_carry_traits_that_change(rows: list) -> None:
    identifies = [r for _, t, r in rows if t == "identifies"]
    assert all(r["user_id"] and r["email"] and r["address_country"] for r in identifies)
    assert any(r["created_at"] for r in identifies) and any(r["birthday"] for r in identifies)
    values = defaultdict(set)
    for r in identifies:
        values[r["user_id"]].add((r["email"], r["address_state"]))
    assert any(len(v) > 1 for v in values.values())


def test_pages_have_direct_and_real_referrers_and_utm_parameters(rows: list) -> None:
    pages = [r for _, t, r in rows if t == "pages"]
    assert any(p["referrer"] == "$direct" and p["context_page_referrer"] == "$direct" for p in pages)
    assert any(p["referring_domain"] and p["referring_domain"] != "shop.example.com" for p in pages)
    assert any(p["context_campaign_source"] and p["context_campaign_medium"] for p in pages)
    assert all(p["url"] == p["context_page_url"] and p["url"].startswith("https://") for p in pages)


def device_class(width: int, height: int) -> str:
    """The event-analytics device rule from screen size."""
    for w, h in ((width, height), (height, width)):
        if h >= 1024 and w >= 768:
            return "Desktop"
    for w, h in ((width, height), (height, width)):
        if 360 <= w <= 414 and 640 <= h <= 896:
            return "Mobile"
    for w, h in ((width, height), (height, width)):
        if 601 <= w <= 1280 and 800 <= h <= 962:
            return "Tablet"
    return "Others"


def test_screen_sizes_cover_every_device_class(rows: list) -> None:
    sizes = {(int(r["context_screen_width"]), int(r["context_screen_height"]))
             for _, t, r in rows if t in ("pages", "screens")}
    assert {device_class(w, h) for w, h in sizes} == {"Desktop", "Mobile", "Tablet", "Others"}


def test_orders_add_up_and_products_are_json_text(rows: list) -> None:
    orders = [r for _, t, r in rows if t == "order_completed"]
    assert orders
    for order in orders:
        products = json.loads(order["products"])
        assert products and all({"product_id", "sku", "category", "price", "quantity"} <= set(p) for p in products)
        subtotal = round(sum(p["price"] * p["quantity"] for p in products), 2)
        assert float(order["subtotal"]) == subtotal
        total = float(order["subtotal"]) - float(order["discount"]) + float(order["shipping"]) + float(order["tax"])
        assert float(order["total"]) == pytest.approx(total)
        assert float(order["revenue"]) == pytest.approx(subtotal - float(order["discount"]))
    steps = [r for _, t, r in rows if t == "checkout_step_completed"]
    assert {r["step"] for r in steps} == {"1", "2"} and any(r["payment_method"] for r in steps)


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_writer_quotes_as_csv_does_and_drops_columns_without_values(tmp_path: Path, monkeypatch, chunk: int) -> None:
    monkeypatch.setattr(writer, "_CHUNK", chunk)  # small chunks: records split across reads
    odd = {"id": "a", "timestamp": "2024-01-01T00:00:00.000Z", "received_at": "2024-01-01T00:00:00.001Z",
           "event": 'say "hi", then\nleave', "context_network_wifi": True, "context_screen_width": 1920,
           "context_page_url": "https://x/?a=1,2", "anonymous_id": "anon"}
    plain = {**odd, "id": "b", "event": "plain", "context_network_wifi": False, "context_page_url": None}
    counts = writer.write_batches([(0, "tracks", odd), (0, "tracks", plain), (1, "tracks", {"id": "c"})], tmp_path, 2)
    assert counts == {"tracks": [2, 1]}
    text = (tmp_path / "batch-0001" / "tracks.csv").read_text(encoding="utf-8")
    header = [c for c in TABLES["tracks"].column_names if c in {*odd, *plain}]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerows(
        [header, *([_csv_text(row.get(c)) for c in header] for row in (odd, plain))])
    assert text == expected.getvalue()
    assert (tmp_path / "batch-0002" / "tracks.csv").read_text(encoding="utf-8") == "id\nc\n"


def _csv_text(value: object) -> str:
    return "" if value is None else {True: "true", False: "false"}.get(value, str(value)) \
        if isinstance(value, bool) else str(value)


def test_writer_refuses_values_holding_its_separators(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="separators"):
        writer.write_batches([(0, "tracks", {"id": "a\x1fb"})], tmp_path, 1)


@pytest.mark.parametrize("bad", [{"visitors": 0}, {"batches": 0}, {"late_fraction": 1.5}, {"orders_from_batch": 0}])
def test_config_rejects_nonsense(bad: dict) -> None:
    with pytest.raises(ValueError):
        GenerateConfig(**bad)


# The command


def test_cli_writes_batch_folders_and_one_summary_line(tmp_path: Path) -> None:
    result = invoke(tmp_path, "generate", "--source", "rudderstack", "--out", "rs", "--visitors", "50", "--days", "3",
                    "--batches", "4", "--seed", "7")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "rs").iterdir()) == [f"batch-{n:04d}" for n in range(1, 5)]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = r"generated [\d,]+ rows \(tracks [\d,]+, pages [\d,]+, .*\), 50 visitors, 4 batch folders under rs"
    assert re.fullmatch(summary, lines[0])
    reference = tmp_path / "reference"
    write_sample(reference)
    assert (tmp_path / "rs" / "batch-0003" / "tracks.csv").read_bytes() == \
        (reference / "batch-0003" / "tracks.csv").read_bytes()


@pytest.mark.parametrize("args", [("--source", "rudderstack", "--events", "10"),
                                  ("--source", "rudderstack", "--format", "csv"),
                                  ("--visitors", "10",),
                                  ("--source", "snowplow", "--visitors", "10")])
def test_cli_options_of_the_other_source_are_a_one_line_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = invoke(tmp_path, "generate", "--out", "out", *args)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "applies to --source" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    assert invoke(tmp_path, "generate", "--source", "segment", "--out", "x").returncode == 2
