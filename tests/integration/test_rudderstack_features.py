"""rs_user_features on DuckDB and PostgreSQL: hand-written RudderStack rows per feature family and
per hazard of features that age with time, every expected value worked out by hand from the
feature rules (D is the
as-of date; "past n days" is D-n+1 ... D)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from tests.integration.rudder import RudderModel, ecommerce, identify, track

FAMILY = ("rs_base", "rs_identity", "rs_sessions", "rs_user_features")
#: features per visitor and snapshot with lookback_days [7, 30, 90, 365]: 31 + 6 windowed x 4
N_FEATURES = 55


def on(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute)


def products(*lines: dict) -> str:
    return json.dumps(list(lines))


class FeaturesModel(RudderModel):
    def as_of(self, day: date, *modules: str) -> None:
        """One catch-up of the family, the features pinned to `day`."""
        self.project.vars["features_as_of"] = day.isoformat()
        self.run(*(modules or FAMILY))

    def features(self, visitor: str, day: date) -> dict:
        """The long table's row of each feature of one visitor's snapshot, as its one value."""
        rows = self.sql(f"SELECT feature_name, feature_type, feature_value_numeric, feature_value_string, "
                        f"feature_value_array FROM {self.output_schema}.event_stream_feature_table{self.entropy} "
                        f"WHERE dbt_visitor_id = '{visitor}' AND CAST(\"timestamp\" AS DATE) = DATE '{day}'")
        result = {}
        for name, kind, numeric, string, array in rows:
            values = [v for v in (numeric, string, array) if v is not None]
            assert len(values) <= 1, (name, values)
            assert kind == ("numeric" if numeric is not None else "string" if string is not None
                            else "array" if array is not None else kind)
            result[name] = _plain(values[0]) if values else None
        return result

    def snapshots(self) -> list[tuple]:
        """(visitor, snapshot date) of every wide row."""
        return [(v, d.date() if isinstance(d, datetime) else d) for v, d in self.table(
            "event_stream_customer_features", 'dbt_visitor_id, "timestamp"')]


def _plain(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


@pytest.fixture
def rs(project) -> FeaturesModel:
    return FeaturesModel(project.root, project.target_settings,
                         variables={"feature_snapshot_retention_days": 1})


def features_with(project, **variables) -> FeaturesModel:
    return FeaturesModel(project.root, project.target_settings, variables=variables)


def subset(features: dict, names: str) -> dict:
    return {name: features[name] for name in names.split()}


def test_traits_are_the_latest_non_null_values_and_ages_count_whole_years(rs):
    rs.load([
        identify("i1", on(1), "a1", "u1", gender="m", email="Ann@Old.org", birthday=datetime(1990, 3, 6),
                 address_country="FR", context_campaign_source="google"),
        identify("i2", on(2), "a1", "u1", gender="f", email="ann@New.COM", address_state="IDF",
                 context_campaign_source="newsletter"),
        identify("i3", on(3), "a1", "u1", gender=None, context_campaign_source="Zed"),
    ])
    rs.as_of(date(2024, 3, 5))
    f = rs.features("u1", date(2024, 3, 5))
    assert len(f) == N_FEATURES
    # the latest non-null gender, not the alphabetical max ('m'); birthday 6 March not reached on the 5th
    assert subset(f, "gender country state email_domain age_in_years days_since_account_creation "
                     "campaign_sources") == {
        "gender": "f", "country": "FR", "state": "IDF", "email_domain": "new.com", "age_in_years": 33,
        "days_since_account_creation": 4, "campaign_sources": '["Zed","google","newsletter"]'}
    # no track, order or cart: counts and sums 0, "days since", averages and lists NULL
    assert subset(f, "days_since_last_seen is_churned_7_days active_days_in_past_7_days n_sessions_overall "
                     "avg_session_length_overall total_amt_spent amt_spent_in_past_30_days median_transaction_value "
                     "total_transactions total_carts payment_modes items_purchased_ever has_credit_card "
                     "has_mobile_app highest_spent_category") == {
        "days_since_last_seen": None, "is_churned_7_days": None, "active_days_in_past_7_days": 0,
        "n_sessions_overall": 0, "avg_session_length_overall": None, "total_amt_spent": 0,
        "amt_spent_in_past_30_days": 0, "median_transaction_value": None, "total_transactions": 0,
        "total_carts": 0, "payment_modes": None, "items_purchased_ever": None, "has_credit_card": 0,
        "has_mobile_app": 0, "highest_spent_category": None}
    rs.load([identify("i4", on(4), "a1", "u1", created_at=datetime(2024, 1, 1))])
    rs.as_of(date(2024, 3, 6))
    f = rs.features("u1", date(2024, 3, 6))
    # the anniversary reached; the account created on 1 January: 31 + 29 + 5 days
    assert subset(f, "age_in_years days_since_account_creation") == {
        "age_in_years": 34, "days_since_account_creation": 65}


def test_activity_churn_and_session_windows(rs):
    rs.load([
        track("t1", on(1, 10, 0)), track("t2", on(1, 10, 10)),                 # a session of 600 s
        track("t3", on(4), channel="web"),                                     # alone: 0 s
        track("t4", on(9, 23, 50), context_os_name="iOS"), track("t5", on(10, 0, 20)),  # 1800 s: one session
        track("t6", on(11, 9)),                                                # after D
    ])
    rs.as_of(date(2024, 3, 10))
    assert subset(rs.features("a1", date(2024, 3, 10)),
                  "days_since_last_seen is_churned_7_days active_days_in_past_7_days active_days_in_past_30_days "
                  "n_sessions_overall avg_session_length_overall n_sessions_last_week "
                  "avg_session_length_last_week has_mobile_app is_active_on_website") == {
        "days_since_last_seen": 0, "is_churned_7_days": 0, "active_days_in_past_7_days": 3,
        "active_days_in_past_30_days": 4, "n_sessions_overall": 3, "avg_session_length_overall": 800,
        "n_sessions_last_week": 2, "avg_session_length_last_week": 900, "has_mobile_app": 1,
        "is_active_on_website": 1}
    rs.as_of(date(2024, 3, 20))                       # nothing new: the features age
    assert subset(rs.features("a1", date(2024, 3, 20)),
                  "days_since_last_seen is_churned_7_days is_churned_30_days active_days_in_past_7_days "
                  "active_days_in_past_30_days n_sessions_overall avg_session_length_overall "
                  "n_sessions_last_week avg_session_length_last_week") == {
        "days_since_last_seen": 9, "is_churned_7_days": 1, "is_churned_30_days": 0,
        "active_days_in_past_7_days": 0, "active_days_in_past_30_days": 5, "n_sessions_overall": 4,
        "avg_session_length_overall": 600, "n_sessions_last_week": 0, "avg_session_length_last_week": None}


def order(event_id: str, day: int, **properties) -> list:
    return ecommerce("order_completed", event_id, on(day), anon="a1", user="u1", order_id=event_id, **properties)


def test_orders_median_units_and_categories(rs):
    rs.load([
        *order("o1", 1, total=10.0, products=products({"sku": "a", "category": "shoes", "price": 10, "quantity": 1})),
        *order("o2", 5, total=40.0, products=products({"sku": "b", "category": "bags", "price": 50, "quantity": 1})),
        *order("o3", 8, revenue=30.0, products=products({"sku": "a", "category": "shoes", "price": 5, "quantity": 3},
                                                        {"sku": "c", "category": "hats", "price": 15})),
        *order("o4", 9, total=22.0),
        *order("o5", 12, total=100.0),
    ])
    rs.as_of(date(2024, 3, 10))
    f = rs.features("u1", date(2024, 3, 10))
    # amounts 10, 40, 30 (revenue: no total), 22; o5 is after D; units 1, 1, 3 + 1 (no quantity: 1), 0
    assert subset(f, "total_amt_spent amt_spent_in_past_7_days amt_spent_in_past_30_days last_transaction_value "
                     "average_transaction_value median_transaction_value highest_transaction_value "
                     "average_units_per_transaction days_since_last_purchase transactions_in_past_7_days "
                     "total_transactions") == {
        "total_amt_spent": 102, "amt_spent_in_past_7_days": 92, "amt_spent_in_past_30_days": 102,
        "last_transaction_value": 22, "average_transaction_value": 25.5, "median_transaction_value": 26,
        "highest_transaction_value": 40, "average_units_per_transaction": 1.5, "days_since_last_purchase": 1,
        "transactions_in_past_7_days": 3, "total_transactions": 4}
    # spend: bags 50, shoes 10 + 15, hats 15; orders: shoes 2, bags 1, hats 1
    assert subset(f, "items_purchased_ever categories_purchased_ever highest_spent_category "
                     "highest_transacted_category") == {
        "items_purchased_ever": '["a","b","c"]', "categories_purchased_ever": '["bags","hats","shoes"]',
        "highest_spent_category": "bags", "highest_transacted_category": "shoes"}


def test_lists_beyond_max_list_size_are_null_and_category_ties_go_to_the_smallest_name(project):
    rs = features_with(project, feature_snapshot_retention_days=1, max_list_size=2)
    rs.load([*order("o1", 1, total=1.0, products=products({"sku": "x", "category": "b", "price": 4, "quantity": 1},
                                                          {"sku": "y", "category": "a", "price": 2, "quantity": 2},
                                                          {"sku": "z", "category": "a"}))])
    rs.as_of(date(2024, 3, 2))
    assert subset(rs.features("u1", date(2024, 3, 2)), "items_purchased_ever categories_purchased_ever "
                  "highest_spent_category highest_transacted_category average_units_per_transaction") == {
        "items_purchased_ever": None, "categories_purchased_ever": '["a","b"]',
        "highest_spent_category": "a", "highest_transacted_category": "a", "average_units_per_transaction": 4}


def test_order_lines_beyond_max_products_per_order_are_ignored_and_counted(project):
    rs = features_with(project, feature_snapshot_retention_days=1, max_products_per_order=2)

    def line(sku: str, category: str, price: float) -> dict:
        return {"sku": sku, "category": category, "price": price, "quantity": 1}

    rs.load([*order("o1", 1, total=6.0, products=products(line("a", "x", 1), line("b", "x", 2), line("c", "y", 9))),
             *order("o2", 2, total=4.0, products=products(*(line(sku, "z", 1) for sku in "defg"))),
             *order("o3", 2, total=2.0, products=products(line("h", "z", 2)))])
    rs.as_of(date(2024, 3, 3))
    # kept: o1 a, b (c left out); o2 d, e (f, g left out); o3 h. Spend x 1+2, z 1+1+2; orders x 1, z 2
    assert subset(rs.features("u1", date(2024, 3, 3)), "items_purchased_ever categories_purchased_ever "
                  "highest_spent_category highest_transacted_category") == {
        "items_purchased_ever": '["a","b","d","e","h"]', "categories_purchased_ever": '["x","z"]',
        "highest_spent_category": "z", "highest_transacted_category": "z"}
    # the run's metadata: one snapshot row written (u1 on D), three lines dropped
    assert rs.sql(f"SELECT rows_this_run, rows_dropped FROM {rs.output_schema}.datamodel_metadata{rs.entropy} "
                  f"WHERE module = 'rs_user_features' AND rows_this_run > 0") == [(1, 3)]


@pytest.mark.parametrize("reporting", [None, "usd"])
def test_orders_in_another_currency_are_listed_by_a_warn_check(project, reporting):
    rs = features_with(project, feature_snapshot_retention_days=1, reporting_currency=reporting)

    def listed() -> int:
        """Orders the check has listed so far (it runs in every round of a catch-up)."""
        return rs.sql(f"SELECT COALESCE(SUM(n_failing), 0) FROM {rs.output_schema}.dq_results{rs.entropy} "
                      f"WHERE check_name = 'rs_features_one_currency' AND severity = 'warn'")[0][0]

    rs.load([*order("o1", 1, total=10.0, currency="USD"), *order("o2", 1, total=5.0, currency=" usd ")])
    rs.as_of(date(2024, 3, 1))
    assert listed() == 0                                 # USD only
    rs.load([*order("o3", 2, total=7.0, currency="EUR"), *order("o4", 2, total=1.0)])
    rs.as_of(date(2024, 3, 2))
    assert listed() == 1                                 # o3; o4 has none: taken as the reporting one
    rs.load([*order("o5", 3, total=2.0, currency="usd")])
    rs.as_of(date(2024, 3, 3))
    # o5 in USD is listed while USD and EUR both have been seen, unless USD is the reporting one
    assert listed() == (2 if reporting is None else 1)
    # the amounts are summed as given, whatever their currency
    assert rs.features("u1", date(2024, 3, 3))["total_amt_spent"] == 25


def test_carts_products_and_payment_modes(rs):
    def add(event_id: str, day: int, cart: str, sku: str) -> list:
        return ecommerce("product_added", event_id, on(day), cart_id=cart, sku=sku, price=1.0)

    def pay(event_id: str, day: int, method: str) -> list:
        return ecommerce("checkout_step_completed", event_id, on(day), payment_method=method, step=2)

    rs.load([*add("p1", 1, "c1", "s1"), *add("p2", 2, "c1", "s2"), *add("p3", 5, "c2", "s1"),
             *add("p4", 9, "c3", 's"q'), *add("p5", 11, "c4", "s9"),
             *pay("k1", 2, "MasterCard"), *pay("k2", 3, "cod"), *pay("k3", 4, "")])
    rs.as_of(date(2024, 3, 10))
    assert subset(rs.features("a1", date(2024, 3, 10)),
                  "carts_in_past_7_days carts_in_past_30_days total_carts products_added_in_past_7_days "
                  "products_added_in_past_30_days total_products_added_to_cart days_since_last_cart_add "
                  "payment_modes has_credit_card") == {
        "carts_in_past_7_days": 2, "carts_in_past_30_days": 3, "total_carts": 3,
        "products_added_in_past_7_days": '["s\\"q","s1"]', "products_added_in_past_30_days": '["s\\"q","s1","s2"]',
        "total_products_added_to_cart": 4, "days_since_last_cart_add": 1,
        "payment_modes": '["MasterCard","cod"]', "has_credit_card": 1}


def test_a_purchase_ages_out_of_the_7_day_window_with_no_new_data(project):
    rs = features_with(project)                          # seven snapshots retained
    rs.load([*order("o1", 4, total=50.0)])
    rs.as_of(date(2024, 3, 10))
    assert sorted({d for _, d in rs.snapshots()}) == [date(2024, 3, d) for d in range(4, 11)]
    assert subset(rs.features("u1", date(2024, 3, 10)), "amt_spent_in_past_7_days transactions_in_past_7_days") == {
        "amt_spent_in_past_7_days": 50, "transactions_in_past_7_days": 1}
    rs.as_of(date(2024, 3, 11))                          # nothing loaded: 4 March is now 8 dates back
    assert subset(rs.features("u1", date(2024, 3, 11)),
                  "amt_spent_in_past_7_days transactions_in_past_7_days amt_spent_in_past_30_days "
                  "days_since_last_purchase") == {
        "amt_spent_in_past_7_days": 0, "transactions_in_past_7_days": 0, "amt_spent_in_past_30_days": 50,
        "days_since_last_purchase": 7}
    assert sorted({d for _, d in rs.snapshots()}) == [date(2024, 3, d) for d in range(5, 12)]
    assert rs.features("u1", date(2024, 3, 10))["amt_spent_in_past_7_days"] == 50


@pytest.mark.parametrize("restate", ["all", "none"])
def test_a_late_order_restates_the_snapshots_it_falls_in(project, restate):
    rs = features_with(project, feature_restate=restate)
    rs.load([*order("o1", 2, total=20.0)])
    rs.as_of(date(2024, 3, 10))
    rs.load([*order("o2", 6, total=30.0)])               # dated the 6th, loaded after the snapshots
    rs.as_of(date(2024, 3, 10))
    totals = {d: rs.features("u1", date(2024, 3, d))["total_amt_spent"] for d in range(4, 11)}
    if restate == "all":
        assert totals == {4: 20, 5: 20, 6: 50, 7: 50, 8: 50, 9: 50, 10: 50}
    else:                                                # frozen: point-in-time snapshots
        assert totals == {d: 20 for d in range(4, 11)}
    rs.as_of(date(2024, 3, 11))                          # a new snapshot sees everything either way
    assert rs.features("u1", date(2024, 3, 11))["total_amt_spent"] == 50


def test_a_remapped_visitor_moves_and_its_old_key_leaves_every_snapshot(project):
    rs = features_with(project, feature_snapshot_retention_days=3)
    rs.load([*ecommerce("order_completed", "o1", on(2), anon="a9", order_id="o1", total=15.0),
             track("t1", on(3), anon="a2", user="u1")])
    rs.as_of(date(2024, 3, 5))
    assert sorted(rs.snapshots()) == [(v, date(2024, 3, d)) for v in ("a9", "u1") for d in (3, 4, 5)]
    rs.load([identify("i1", on(8), "a9", "u1")])         # a9 turns out to be u1, learnt later
    rs.as_of(date(2024, 3, 5))
    assert sorted(rs.snapshots()) == [("u1", date(2024, 3, d)) for d in (3, 4, 5)]
    assert rs.features("u1", date(2024, 3, 3))["total_amt_spent"] == 15
    assert rs.sql("SELECT COUNT(*) FROM derived.event_stream_feature_table WHERE dbt_visitor_id = 'a9'") == [(0,)]


@pytest.mark.parametrize("catch_up", ["all", "latest"])
def test_skipped_days_get_their_snapshots_unless_catch_up_is_latest(project, catch_up):
    rs = features_with(project, feature_snapshot_retention_days=5, features_catch_up=catch_up)
    rs.load([track("t1", on(1))])
    rs.as_of(date(2024, 3, 10))
    rs.as_of(date(2024, 3, 13))                          # the 11th and 12th were skipped
    expected = range(9, 14) if catch_up == "all" else (10, 13)
    assert sorted(rs.snapshots()) == [("a1", date(2024, 3, d)) for d in expected]
    assert rs.features("a1", date(2024, 3, 12) if catch_up == "all" else date(2024, 3, 13))["days_since_last_seen"] \
        == (11 if catch_up == "all" else 12)


def test_the_wide_table_and_the_latest_view_hold_the_long_tables_values(rs):
    rs.load([identify("i1", on(1), "a1", "u1", gender="f"), *order("o1", 2, total=5.0)])
    rs.as_of(date(2024, 3, 3))
    long = rs.features("u1", date(2024, 3, 3))
    wide = rs.sql("SELECT * FROM derived.event_stream_customer_features_latest")
    names = [r[0] for r in rs.sql("SELECT column_name FROM information_schema.columns WHERE table_schema = 'derived' "
                                  "AND table_name = 'event_stream_customer_features' ORDER BY ordinal_position")]
    assert len(wide) == 1 and names[:3] == ["dbt_visitor_id", "timestamp", "row_id"]
    assert dict(zip(names[3:], map(_plain, wide[0][3:]), strict=True)) == long
    assert wide[0][2] == "u1|2024-03-03"
    assert rs.sql("SELECT row_id FROM derived.event_stream_feature_table WHERE feature_name = 'gender'") == [
        ("u1|2024-03-03|gender",)]
