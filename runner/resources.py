"""Where Sluice's own files are: the standard modules' playbooks and SQL, the dialect macros,
the input tables' DDL and the lifecycle tables' definitions.

In the repository they are the top-level `playbooks/`, `sql/` and `manifests/` folders; the
build maps them into the wheel as `sluice/bundled/...` (see `pyproject.toml`). An installed
package finds them through `importlib.resources`; a source checkout (an editable install, the
test suite) has no `bundled/` folder inside the package and reads the repository's folders.
This module is the only place that knows either layout.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def bundled_root() -> Path:
    """The folder holding Sluice's `playbooks/`, `sql/` and `manifests/`."""
    package = Path(str(files("sluice")))
    installed = package / "bundled"
    if (installed / "manifests").is_dir():
        return installed
    return package.parent  # a source checkout: the package folder is runner/ in the repository


def standard_modules() -> Path:
    """`playbooks/standard/`: one folder per model family, one per module below it."""
    return bundled_root() / "playbooks" / "standard"


def macros() -> Path:
    return bundled_root() / "sql" / "macros"


def standard_sql() -> Path:
    """`sql/standard/`: the standard modules' SQL, one folder per model family."""
    return bundled_root() / "sql" / "standard"


def builtin_checks() -> dict[str, Path]:
    """The data checks every module may use by name (`sql/checks/<name>.sql`)."""
    folder = bundled_root() / "sql" / "checks"
    return {path.stem: path for path in sorted(folder.glob("*.sql"))}


def seed(family: str, name: str) -> Path:
    """A model family's seed table (`sql/standard/<family>/seeds/<name>.csv`): rows it ships
    for a table the user may replace."""
    return standard_sql() / family / "seeds" / f"{name}.csv"


def manifests() -> Path:
    return bundled_root() / "manifests"


def input_ddl(name: str) -> Path:
    """A model family's input tables (`sql/input/<name>`)."""
    return bundled_root() / "sql" / "input" / name


def display_path(path: Path, project_root: Path | None = None) -> str:
    """A file as a user finds it: relative to the project, or within Sluice's own files."""
    path = path.resolve()
    for root, prefix in ((project_root, ""), (bundled_root(), "<sluice>/")):
        if root is not None and root.resolve() in path.parents:
            return prefix + str(path.relative_to(root.resolve()))
    return str(path)
