"""The growth family on DuckDB and PostgreSQL: the incremental hazards of growth data, one
case each (a registration whose paid session arrives late, a corrected session, a re-sent file,
duplicates), the star schema's rows, and each data check's severity, with every expected row
written out by hand."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.cli import invoke
from tests.integration.growth import GrowthModel, at, registration, session

JUNE = date(2020, 6, 1)
MART = "registration_month, channel_name, registrations, avg_hours_to_convert, share_of_month"


@pytest.fixture
def growth(project) -> GrowthModel:
    return GrowthModel(project.root, project.target_settings)


def test_a_paid_session_arriving_after_its_registration_reattributes_it(growth):
    growth.load(sessions=[session(1, at(0), "REFERRAL")], conversions=[registration(1, at(5))])
    growth.run()
    assert growth.attribution() == [(1, at(5), "OTHERS", "REFERRAL", 5, "last_session")]
    assert growth.table("mart_channel_attribution", MART) == [(JUNE, "OTHERS", 1, 5, 1)]
    growth.load(sessions=[session(1, at(4), "PAID SEARCH", True)])       # the paid click, a batch late
    growth.run()
    assert growth.attribution() == [(1, at(5), "PAID_SEARCH", "PAID SEARCH", 1, "live_session")]
    assert growth.table("mart_channel_attribution", MART) == [(JUNE, "PAID_SEARCH", 1, 1, 1)]   # June restated
    assert growth.table("dim_channel", "channel, sessions") == [("PAID SEARCH", 1), ("REFERRAL", 1)]


def test_a_corrected_session_replaces_the_first_version(growth):
    growth.load(sessions=[session(1, at(0), "REFERRAL", False), session(2, at(0), "REFERRAL", False)],
                conversions=[registration(1, at(1))])
    growth.run()
    assert growth.attribution() == [(1, at(1), "OTHERS", "REFERRAL", 1, "last_session")]
    growth.load(sessions=[session(1, at(0), "PAID SEARCH", True)])        # the same session, corrected
    growth.run()
    assert growth.table("growth_all_sessions", "user_id, session_start_time, is_paid_session, channel") == [
        (1, at(0), True, "PAID SEARCH"), (2, at(0), False, "REFERRAL")]
    assert growth.table("fact_sessions", "user_id, session_start_time, is_paid_session, channel") == [
        (1, at(0), True, "PAID SEARCH"), (2, at(0), False, "REFERRAL")]
    assert growth.table("dim_channel", "channel, sessions") == [("PAID SEARCH", 1), ("REFERRAL", 1)]
    assert growth.attribution() == [(1, at(1), "PAID_SEARCH", "PAID SEARCH", 1, "live_session")]
    growth.load(sessions=[session(2, at(0), "DIRECT", False)])           # REFERRAL has no session left
    growth.run()
    assert growth.table("dim_channel", "channel, sessions") == [("DIRECT", 1), ("PAID SEARCH", 1)]


def test_a_resent_file_adds_nothing_and_duplicate_lines_count_once(growth):
    rows = [session(1, at(0), "DIRECT"), session(1, at(0), "DIRECT"), session(2, at(1), "SOCIAL")]
    first = growth.write_batch(sessions=rows, conversions=[registration(1, at(2)), registration(1, at(2))])
    summary = growth.load_path(first)
    assert (summary.rows, summary.already_loaded, summary.rejected) == (3, 2, 0)   # 2 sessions, 1 registration
    growth.run()
    before = growth.snapshot()
    again = growth.load_path(first)                                        # the same folder, sent again
    assert (again.rows, again.already_loaded, again.rejected) == (0, 5, 0)
    growth.run()
    assert growth.snapshot() == before
    assert growth.sql("SELECT COUNT(*) FROM raw.sessions") == [(2,)]
    assert growth.table("growth_all_sessions", "user_id, channel") == [(1, "DIRECT"), (2, "SOCIAL")]
    assert growth.table("dim_user", "user_id") == [(1,), (2,)]
    assert growth.table("fact_registrations", "user_id, registration_time") == [(1, at(2))]
    assert growth.attribution() == [(1, at(2), "DIRECT", "DIRECT", 2, "last_session")]


def test_the_star_keys_each_row_by_its_natural_key(growth):
    growth.load(sessions=[session(1, at(0), "DIRECT"), session(1, at(3), "SOCIAL")],
                conversions=[registration(1, at(4)), registration(2, at(4))])
    growth.run()
    keys = growth.sql("SELECT session_sk, user_sk, channel_sk FROM derived.fact_sessions ORDER BY session_start_time")
    users = dict(growth.sql("SELECT user_id, user_sk FROM derived.dim_user"))
    channels = dict(growth.sql("SELECT channel, channel_sk FROM derived.dim_channel"))
    assert [k[1] for k in keys] == [users[1], users[1]]
    assert [k[2] for k in keys] == [channels["DIRECT"], channels["SOCIAL"]]
    assert len({k[0] for k in keys}) == 2 and all(len(k[0]) == 32 for k in keys)
    assert sorted(users) == [1, 2]                                        # user 2 has only a registration
    assert growth.sql("SELECT COUNT(DISTINCT registration_sk) FROM derived.fact_registrations") == [(2,)]


# -- data checks --------------------------------------------------------------------------------
def run(growth: GrowthModel):
    return invoke(growth.root, "run")


def nothing_written(growth: GrowthModel) -> bool:
    """The staging tables exist (main creates them before its checks) and hold nothing; the
    modules downstream never ran."""
    staged = growth.sql("SELECT COUNT(*) FROM derived.growth_all_sessions")
    return staged == [(0,)] and not growth.exists("fact_sessions")


@pytest.mark.parametrize(("sessions", "conversions", "check", "failing"), [
    ([session(1, at(0), None)], [], "growth_sessions_not_null", [(1, None)]),
    ([session(1, at(0), "DIRECT")], [registration(1, None)], "growth_registrations_not_null", [(1, None)]),
    ([session(1, at(0), "DIRECT"), session(1, at(0), "SOCIAL")], [], "growth_session_key_unique", [(1, 2)]),
    ([session(1, at(0), "DIRECT")], [("1", "2999-01-01 00:00:00")], "growth_registration_not_future", [(1, None)]),
], ids=["null-medium", "null-registration-time", "two-versions-in-one-batch", "future-registration"])
def test_a_failing_critical_check_stops_growth_staging_before_it_writes(growth, sessions, conversions, check,
                                                                        failing):
    growth.load(sessions=sessions, conversions=conversions)
    result = run(growth)
    assert result.returncode == 8
    assert f"critical check '{check}' found 1 failing row" in result.stderr
    assert nothing_written(growth)
    assert growth.sql("SELECT COUNT(*) FROM derived.growth_load_marks") == [(0,)]   # the batches stay unread
    kept = growth.sql(f"SELECT * FROM scratch.dq_failures_{check}")
    assert [(row[0], row[-1] if check == "growth_session_key_unique" else None) for row in kept] == failing


def test_a_raw_table_of_other_types_fails_the_column_check(growth):
    growth.sql("CREATE SCHEMA IF NOT EXISTS raw")
    growth.sql("CREATE TABLE raw.sessions (user_id BIGINT, time_started VARCHAR(40), is_paid BOOLEAN, "
               "medium VARCHAR(40), load_batch_id BIGINT)")
    result = run(growth)
    assert result.returncode == 8
    assert "critical check 'growth_raw_columns' found 2 failing rows" in result.stderr
    failing = growth.sql("SELECT table_name, column_name, expected_kind FROM scratch.dq_failures_growth_raw_columns")
    assert sorted(failing) == [("sessions", "row_hash", "string"), ("sessions", "time_started", "datetime")]


def test_warn_checks_are_recorded_and_the_run_goes_on(growth):
    growth.load(sessions=[session(2, at(2), "DIRECT"), session(3, at(0), "DIRECT"),
                          session(4, at(0), "CARRIER PIGEON"), session(4, at(1), "CARRIER PIGEON")],
                conversions=[registration(1, at(1)),                  # no session at all
                             registration(2, at(1)),                  # before the user's first session
                             registration(3, at(1)), registration(3, at(2))])   # two registrations
    result = run(growth)
    assert result.returncode == 0, result.stderr
    found = {name: (severity, failing, json.loads(sample) if sample else None) for name, severity, failing, sample in
             growth.sql("SELECT check_name, severity, n_failing, sample FROM derived.dq_results")}
    assert found["growth_conversions_without_sessions"][:2] == ("warn", 1)
    assert found["growth_registration_before_first_session"][:2] == ("warn", 1)
    assert found["growth_users_with_several_registrations"] == ("warn", 1, [{"user_id": 3, "registrations": 2}])
    assert found["growth_unknown_medium"] == ("warn", 1, [{"channel": "CARRIER PIGEON", "sessions": 2}])
    assert found["growth_sessions_not_null"] == ("critical", 0, None)
    assert "warn check 'growth_unknown_medium' found 1 failing row" in result.stdout
    assert growth.attribution() == [
        (1, at(1), "UNATTRIBUTED", None, None, "no_session"),
        (2, at(1), "UNATTRIBUTED", None, None, "no_session"),
        (3, at(1), "DIRECT", "DIRECT", 1, "last_session"),
        (3, at(2), "DIRECT", "DIRECT", 2, "last_session"),
    ]


def test_the_report_shows_the_growth_headline_numbers(growth):
    growth.load(sessions=[session(1, at(0), "PAID SEARCH", True), session(2, at(0), "DIRECT")],
                conversions=[registration(1, at(1)), registration(2, at(30)), registration(3, at(2))])
    growth.run()
    result = invoke(growth.root, "report", "--out", "report.html")
    assert result.returncode == 0, result.stderr
    page = (growth.root / "report.html").read_text()
    assert "Registrations per month by attributed channel" in page
    assert "Registrations credited to a live session" in page
    assert "<desc class=\"value\">33.3%</desc>" in page     # one of June's three, by a live paid click
    # June: one registration each for PAID_SEARCH, DIRECT and UNATTRIBUTED; a third of them live
    assert growth.sql("SELECT channel_name, registrations FROM derived.mart_channel_attribution "
                      "ORDER BY channel_name") == [("DIRECT", 1), ("PAID_SEARCH", 1), ("UNATTRIBUTED", 1)]


def test_a_full_refresh_of_the_family_rebuilds_the_same_tables_from_the_raw_loads(growth):
    growth.load(sessions=[session(1, at(0), "REFERRAL"), session(2, at(0), "DIRECT")],
                conversions=[registration(1, at(5))])
    growth.run()
    growth.load(sessions=[session(1, at(4), "PAID SEARCH", True), session(2, at(0), "SOCIAL")],
                conversions=[registration(2, at(1))])
    growth.run()
    before = growth.snapshot()
    result = invoke(growth.root, "run", "--full-refresh")
    assert result.returncode == 0, result.stderr
    assert growth.snapshot() == before
    assert growth.attribution() == [(1, at(5), "PAID_SEARCH", "PAID SEARCH", 1, "live_session"),
                                    (2, at(1), "OTHERS", "SOCIAL", 1, "last_session")]
