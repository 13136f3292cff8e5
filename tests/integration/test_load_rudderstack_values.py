"""`sluice load --source rudderstack`: every rule of load_values.py, value by value, in the
warehouse (DuckDB, PostgreSQL) and in Python (the portable path and the rejects), which must
agree. Expected values are worked out by hand: an offset is moved to UTC, a fraction cut to
microseconds, a text that is no JSON number is no number.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from sluice.events.rudderstack import load_values
from tests.integration.test_load_rudderstack import csv_text, loaded, project  # noqa: F401  (the fixture)

D = object()  # stands for "discarded"; the kind the value is taken for follows

#: (column kind, text, loaded value, or D and the kind the discard reason names)
VALUES = [
    ("int", "0", 0), ("int", "-0", 0), ("int", "42", 42),
    ("int", "9223372036854775807", 2**63 - 1), ("int", "-9223372036854775808", -(2**63)),
    ("int", "9223372036854775808", D, "float"), ("int", "007", D, "string"), ("int", "+5", D, "string"),
    ("int", "1.0", D, "float"), ("int", "1e3", D, "float"), ("int", " 1", D, "string"),
    ("int", "1_000", D, "string"), ("int", "0x10", D, "string"), ("int", "true", D, "boolean"),
    ("int", "2024-03-01", D, "datetime"),
    ("float", "1.5", 1.5), ("float", "-0.001", -0.001), ("float", "3", 3.0), ("float", "1.5E+3", 1500.0),
    ("float", "1e308", 1e308), ("float", "1e-307", 1e-307), ("float", "0.0e5", 0.0),
    ("float", "1e309", D, "string"), ("float", "1e-308", D, "string"), ("float", "1e1000", D, "string"),
    ("float", "1e999", D, "string"), ("float", "-1e-999", D, "string"), ("int", "1e999", D, "string"),
    ("float", "NaN", D, "string"), ("float", "Infinity", D, "string"), ("float", "1,5", D, "string"),
    ("float", ".5", D, "string"), ("float", "5.", D, "string"),
    ("boolean", "true", True), ("boolean", "FALSE", False), ("boolean", "t", True), ("boolean", "F", False),
    ("boolean", "1", D, "int"), ("boolean", "yes", D, "string"),
    ("datetime", "2024-02-29", datetime(2024, 2, 29)),
    ("datetime", "2024-03-01T10:00:00Z", datetime(2024, 3, 1, 10)),
    ("datetime", "2024-03-01T10:00Z", datetime(2024, 3, 1, 10)),
    ("datetime", "2024-03-01T10:00:00.123Z", datetime(2024, 3, 1, 10, 0, 0, 123000)),
    ("datetime", "2024-03-01T10:00:00.123+01:00", datetime(2024, 3, 1, 9, 0, 0, 123000)),
    ("datetime", "2024-03-01 10:00:00UTC", D, "string"),
    ("datetime", "2024-03-01T10:00:00.1234567", datetime(2024, 3, 1, 10, 0, 0, 123456)),
    ("datetime", "2024-03-01T10:00", datetime(2024, 3, 1, 10)),
    ("datetime", "2024-03-01 10:00+01", datetime(2024, 3, 1, 9)),
    ("datetime", "2024-03-01T10:00 UTC", datetime(2024, 3, 1, 10)),
    ("datetime", "2024-03-01T10:00:00.5 UTC", datetime(2024, 3, 1, 10, 0, 0, 500000)),
    ("datetime", "2024-03-01T23:30:00-14:00", datetime(2024, 3, 2, 13, 30)),
    ("datetime", "2024-03-01T00:30:00+14:00", datetime(2024, 2, 29, 10, 30)),
    ("datetime", "2024-03-01 10:00:00", datetime(2024, 3, 1, 10)),
    ("datetime", "2024-03-01T10:00:00.123456789Z", datetime(2024, 3, 1, 10, 0, 0, 123456)),
    ("datetime", "2024-03-01T12:00:00+02:00", datetime(2024, 3, 1, 10)),
    ("datetime", "2024-03-01T10:00:00.5-0130", datetime(2024, 3, 1, 11, 30, 0, 500000)),
    ("datetime", "2024-03-01 10:00:00+01", datetime(2024, 3, 1, 9)),
    ("datetime", "2024-03-01 10:00:00.25 UTC", datetime(2024, 3, 1, 10, 0, 0, 250000)),
    ("datetime", "1999-12-31T23:59:59.999999-14:00", datetime(2000, 1, 1, 13, 59, 59, 999999)),
    ("datetime", "2023-02-29", D, "string"), ("datetime", "2024-02-30T10:00:00.000Z", D, "string"),
    ("datetime", "2024-13-01T10:00:00.000Z", D, "string"), ("datetime", "2024-01-01T24:00:00.000Z", D, "string"),
    ("datetime", "0000-01-01T10:00:00.000Z", D, "string"), ("datetime", "2024-01-01T1 :00:00.000Z", D, "string"),
    ("datetime", "2024-02-29T23:59:59.999Z", datetime(2024, 2, 29, 23, 59, 59, 999000)),
    ("datetime", "2024-04-31T10:00:00Z", D, "string"),
    ("datetime", "2024-13-01", D, "string"), ("datetime", "0000-01-01", D, "string"),
    ("datetime", "2024-03-01T24:00:00Z", D, "string"), ("datetime", "2024-03-01T10:00:60Z", D, "string"),
    ("datetime", "2024-03-01T10:00:00+15:00", D, "string"), ("datetime", "2024-03-01T10:00:00 +01:00", D, "string"),
    ("datetime", "2024-03-01T10:00:00 CET", D, "string"), ("datetime", "2024-3-1", D, "string"),
    ("datetime", "20240301", D, "int"), ("datetime", "now", D, "string"), ("datetime", "1709287200", D, "int"),
    ("string", "NULL", "NULL"), ("string", "12", "12"), ("string", "ü €, \"quoted\"", "ü €, \"quoted\""),
]
KINDS = ("int", "float", "boolean", "datetime", "string")
#: the first row, which types each column (no column of table `vals` is declared by schema.py)
FIRST = {"int": "1", "float": "1.5", "boolean": "true", "datetime": "2024-01-01", "string": "s"}
T0 = "2024-03-01T00:00:00.000Z"


def expected(case: tuple) -> tuple:
    """(value, discard reason or None) a case expects."""
    kind, text, value, *taken = case
    if value is D:
        return None, f"incompatible schema conversion from {kind} to {taken[0]}"
    return value, None


@pytest.mark.parametrize("case", VALUES, ids=[f"{c[0]}:{c[1]}" for c in VALUES])
def test_python_rules(case):
    kind, text = case[:2]
    value, reason = expected(case)
    if reason is None:
        assert load_values.convert(text, kind) == value
    else:
        assert not load_values.fits(text, kind)
        assert load_values.discard_reason(kind, text) == reason


def test_the_warehouse_applies_the_same_rules(project):  # noqa: F811
    header = ["id", "received_at", *(f"a_{k}" for k in KINDS)]
    rows = [["first", T0, *(FIRST[k] for k in KINDS)]]
    for n, (kind, text, *_) in enumerate(VALUES):
        rows.append([f"v{n:03}", T0, *(text if k == kind else "" for k in KINDS)])
    loaded(project, project.write("vals.csv", csv_text(header, *rows)))

    columns = ", ".join(f"a_{k}" for k in KINDS)
    got = {row[0]: row[1:] for row in project.query(f"SELECT id, {columns} FROM rudder.vals")}
    discards = {(r, c): reason for r, c, reason in project.query(
        "SELECT row_id, column_name, reason FROM rudder.rudder_discards")}
    problems = []
    for n, case in enumerate(VALUES):
        kind, text = case[:2]
        value, reason = expected(case)
        row_id, column = f"v{n:03}", f"a_{kind}"
        loaded_value = got[row_id][KINDS.index(kind)]
        if (loaded_value, discards.get((row_id, column))) != (value, reason):
            problems.append((kind, text, loaded_value, discards.get((row_id, column)), value, reason))
    assert problems == []
    assert len(discards) == sum(1 for c in VALUES if c[2] is D)
