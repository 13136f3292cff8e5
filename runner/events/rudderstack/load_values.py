"""What a text value of a RudderStack export is, and what it becomes in a typed column.

RudderStack types a column by the first value it loads: an ISO-8601 datetime,
an integer, another number, true or false, or else a string. A CSV has lost the JSON types, so
the text decides, by the JSON grammar: `12` is an int, `012` (no JSON number) a string,
`1.5e3` a float. A value that does not fit its column's type later is stored as NULL and
logged in `rudder_discards` with RudderStack's reason, `incompatible schema conversion from
<column's type> to <value's type>`.

The rules, the same in Python (`classify`, `fits`, `convert`: the portable path and the
rejects file) and in each warehouse's SQL (`load_sql.py`, from the patterns below):

- datetime: `YYYY-MM-DD`, optionally `T` or a space and `hh:mm`, `:ss`, a fraction, then `Z`,
  ` UTC` (BigQuery's) or an offset up to 14 hours (`+01:00`, `+0100`, `+01`); a real date
  (no 30 February, no year 0); no white space around it. With a zone it is moved to UTC; a
  fraction is cut to microseconds.
- int: an integer in JSON's grammar (`-?`, no leading zero) within 64 bits.
- float: a number in JSON's grammar, exponent of at most three digits, 0 or of magnitude
  1e-307 to 1e308 (what every warehouse's double holds without rounding to 0 or infinity).
- boolean: `true` or `false` in any case; a boolean column also takes `t` and `f`, as a
  PostgreSQL export writes them.
- string: anything.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

STRING, INT, FLOAT, BOOLEAN, DATETIME = "string", "int", "float", "boolean", "datetime"

_YEAR = "([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_CLOCK = "[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?(Z| UTC|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)?"
#: POSIX ERE (PostgreSQL, RE2 and Python read it alike); groups 2 and 3 are month and day
DATETIME_SHAPE = f"{_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])({_CLOCK})?"
INT_SHAPE = "-?(0|[1-9][0-9]*)"
NUMBER_SHAPE = "-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]{1,3})?"
#: a number whose digits are all zero: 0 however written, not a tiny number that underflows
ZERO_SHAPE = "-?0([.]0+)?([eE][+-]?[0-9]{1,3})?"
BOOLEANS = ("true", "false")
BOOLEAN_TEXTS = ("true", "false", "t", "f")
INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1
FLOAT_MIN, FLOAT_MAX = Decimal("1e-307"), Decimal("1e308")

_DATETIME = re.compile(DATETIME_SHAPE)
_INT = re.compile(INT_SHAPE)
_NUMBER = re.compile(NUMBER_SHAPE)
_PARTS = re.compile(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?"
                    r"(Z| UTC|([+-])(\d\d)(?::?(\d\d))?)?)?")


def classify(text: str) -> str:
    """The type RudderStack gives a column whose first value is `text`."""
    for kind in (DATETIME, INT, FLOAT):
        if fits(text, kind):
            return kind
    return BOOLEAN if text.lower() in BOOLEANS else STRING


def fits(text: str, kind: str) -> bool:
    """`text` can be stored in a column of `kind`."""
    try:
        convert(text, kind)
    except ValueError:
        return False
    return True


def convert(text: str, kind: str) -> Any:
    """`text` as a value of `kind` (a naive UTC datetime for a datetime); ValueError when it
    does not fit."""
    if kind == STRING:
        return text
    if kind == DATETIME:
        return to_datetime(text)
    if kind == INT:
        if _INT.fullmatch(text) and INT_MIN <= (value := int(text)) <= INT_MAX:
            return value
        raise ValueError(f"not an int: {show(text)}")
    if kind == FLOAT:
        if _NUMBER.fullmatch(text) and (not (number := abs(Decimal(text))) or FLOAT_MIN <= number <= FLOAT_MAX):
            return float(text)
        raise ValueError(f"not a float: {show(text)}")
    if kind == BOOLEAN:
        if text.lower() in BOOLEAN_TEXTS:
            return text.lower() in ("true", "t")
        raise ValueError(f"not a boolean: {show(text)}")
    raise ValueError(f"unknown kind {kind!r}")


def to_datetime(text: str) -> datetime:
    """An ISO-8601 datetime (see the module's rules) as naive UTC."""
    if not _DATETIME.fullmatch(text):
        raise ValueError(f"not a timestamp: {show(text)}")
    year, month, day, hour, minute, second, fraction, zone, sign, zone_hours, zone_minutes = \
        _PARTS.fullmatch(text).groups()  # type: ignore[union-attr]  # the shape matched
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                         int((fraction or "")[:6].ljust(6, "0")))
    except ValueError:
        raise ValueError(f"not a timestamp: {show(text)}") from None
    if sign:
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes or 0))
        value = value - offset if sign == "+" else value + offset
    return value


def discard_reason(column_kind: str, text: str) -> str:
    """RudderStack's reason for a value that does not fit its column."""
    return f"incompatible schema conversion from {column_kind} to {classify(text)}"


def show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
