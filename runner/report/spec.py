"""A model family's `report.yml`: the headline charts `sluice report` draws for it.

It sits beside the family's modules (`playbooks/standard/<family>/report.yml`); each chart's
query is a SQL template at the same relative path under `sql/standard/<family>/`, rendered
with the dialect macros like any module's SQL. A family without the file has no headline
section.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from sluice import resources
from sluice.config import read_yaml
from sluice.errors import PlaybookError
from sluice.families import Family
from sluice.lifecycle.modules import Name
from sluice.typed import Strict, validate

REPORT_FILE = "report.yml"


class ChartEntry(Strict):
    name: Name
    title: str
    description: str = ""
    #: the query, relative to `sql/standard/<family>/`; its first column is the x axis (a date
    #: or a label), each other column a series named after it
    file: str
    #: production tables the query reads: the chart is shown when the modules building them
    #: are enabled, and drawn once the tables exist
    reads: list[Name] = Field(min_length=1)
    kind: Literal["line", "bar"] = "line"
    #: how values read: plain numbers, or shares shown as percentages
    format: Literal["number", "percent"] = "number"


class ReportFile(Strict):
    charts: list[ChartEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class ChartSpec:
    family: str
    entry: ChartEntry
    sql_path: Path

    @property
    def key(self) -> str:
        """The chart's name on the page: `<family>.<chart>`."""
        return f"{self.family}.{self.entry.name}"


def family_charts(family: Family) -> list[ChartSpec]:
    """The charts a family's `report.yml` declares; none without the file."""
    return read_charts(family.name, family.folder / REPORT_FILE, resources.standard_sql() / family.name)


def read_charts(family: str, path: Path, sql_root: Path) -> list[ChartSpec]:
    """The charts of a report file, their SQL files found under `sql_root`."""
    if not path.is_file():
        return []
    spec = validate(ReportFile, read_yaml(path), str(path), PlaybookError)
    charts = []
    for entry in spec.charts:
        sql_path = sql_root / entry.file
        if not sql_path.is_file():
            raise PlaybookError(f"{path}: chart '{entry.name}': {entry.file} does not exist in {sql_root}")
        charts.append(ChartSpec(family, entry, sql_path))
    return charts
