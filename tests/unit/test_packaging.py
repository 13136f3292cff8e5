"""What the wheel carries: every subpackage of runner/ under the import name `sluice`, and the
standard modules, their SQL, the macros and the lifecycle DDL as package data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sluice import resources

tomllib = pytest.importorskip("tomllib")
REPO = Path(__file__).resolve().parents[2]


def test_every_folder_the_wheel_carries_is_listed_as_a_package():
    """Code packages (an __init__.py) and every folder of package data whose dotted name Python
    could import: setuptools asks for those to be listed, and may one day leave out the files
    of one that is not."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["sluice"] == "runner"
    code = {".".join(["sluice", *init.parent.relative_to(REPO / "runner").parts])
            for init in (REPO / "runner").rglob("__init__.py")}
    data = set(data_folders(config))
    assert len(data) > 10  # the globs match
    importable = {name for name in data if all(part.isidentifier() for part in name.split("."))}
    assert set(config["packages"]) == code | importable


def data_folders(config: dict) -> Iterator[str]:
    """The dotted name of each folder the package-data globs take files from, and of each
    folder between it and its package."""
    for package, patterns in config["package-data"].items():
        default = package.replace("sluice", "runner", 1).replace(".", "/")
        folder = REPO / config["package-dir"].get(package, default)
        for pattern in patterns:
            for path in folder.glob(pattern):
                parts = path.parent.relative_to(folder).parts
                for depth in range(len(parts) + 1):
                    yield ".".join([package, *parts[:depth]])


def test_the_bundled_files_are_found_from_one_place():
    assert (resources.standard_modules() / "snowplow-web" / "01-base" / "module.yml").is_file()
    assert (resources.macros() / "dates.sql").is_file()
    assert (resources.manifests() / "manifests.yml").is_file()
    assert resources.input_ddl("01-atomic-events.sql").is_file()
    assert resources.seed("rudderstack", "referrer_mapping").is_file()
