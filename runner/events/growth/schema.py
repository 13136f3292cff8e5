"""The growth-analytics input: two CSV files, as the seed's take-home case ships them.

`sessions.csv` holds one marketing session a row (a visit and its medium, not an event stream),
`conversions.csv` one registration a row. `sluice load --source growth` adds to every row the
load batch it arrived in and a hash of its content, so a file sent again adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sluice.events.rudderstack.load_values import BOOLEAN, DATETIME, INT, STRING


@dataclass(frozen=True)
class RawTable:
    name: str
    #: (column, kind of load_values) in the order the CSV header names them
    columns: tuple[tuple[str, str], ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


SESSIONS = RawTable("sessions", (("user_id", INT), ("time_started", DATETIME), ("is_paid", BOOLEAN),
                                 ("medium", STRING)))
CONVERSIONS = RawTable("conversions", (("user_id", INT), ("registration_time", DATETIME)))
RAW_TABLES: dict[str, RawTable] = {t.name: t for t in (SESSIONS, CONVERSIONS)}
#: one row per file loaded: its load batch id, file and counts (the loader's own table)
LOADS = "growth_loads"

#: the mediums the seed's case data holds (the seed project's list)
KNOWN_MEDIUMS = ("DIRECT", "PAID SEARCH", "PAID SOCIAL", "IMPRESSION", "ORGANIC SEARCH", "REFERRAL", "SOCIAL",
                 "INVITES", "MARKETPLACE", "PRIVATE_BOARD", "MOBILE_POPUP", "SSO", "DIRECTORIES", "MAIL", "OTHER")


def template_globals() -> dict[str, object]:
    """What the growth modules' SQL templates may name besides the macros: the raw tables'
    columns and kinds (the required-columns check reads them)."""
    return {"growth_raw_tables": {t.name: list(t.columns) for t in RAW_TABLES.values()}}
