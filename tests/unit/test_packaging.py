"""What the wheel carries: every subpackage of runner/ under the import name `sluice`, and the
standard modules, their SQL, the macros and the lifecycle DDL as package data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sluice import resources

tomllib = pytest.importorskip("tomllib")
REPO = Path(__file__).resolve().parents[2]


def test_every_subpackage_of_runner_is_listed_for_the_wheel():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = {p for p in config["packages"] if not p.startswith("sluice.bundled")}
    found = {"sluice" + ("." + ".".join(init.parent.relative_to(REPO / "runner").parts)
                         if init.parent != REPO / "runner" else "")
             for init in (REPO / "runner").rglob("__init__.py")}
    assert listed == found
    assert config["package-dir"]["sluice"] == "runner"


def test_the_bundled_files_are_found_from_one_place():
    assert (resources.standard_modules() / "snowplow-web" / "01-base" / "module.yml").is_file()
    assert (resources.macros() / "dates.sql").is_file()
    assert (resources.manifests() / "manifests.yml").is_file()
    assert resources.input_ddl("01-atomic-events.sql").is_file()
    assert resources.seed("rudderstack", "referrer_mapping").is_file()
