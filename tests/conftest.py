"""Shared fixtures: a project folder per test, on DuckDB and on a real PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests import pg
from tests.cli import Result, invoke

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def pg_admin_dsn():
    with pg.pg_server() as dsn:
        if dsn is None:
            message = "no PostgreSQL found (set SLUICE_TEST_PG_DSN, or install the server binaries)"
            if pg.require_pg():
                pytest.fail(f"SLUICE_REQUIRE_PG=1 but {message}")
            pytest.skip(message)
        yield dsn


@pytest.fixture
def pg_dsn(pg_admin_dsn):
    with pg.fresh_database(pg_admin_dsn) as dsn:
        yield dsn


class Project:
    """A throwaway Sluice project: sluice.yml, files, and a way to run `sluice` in it."""

    def __init__(self, root: Path, target: dict, kind: str):
        self.root = root
        self.kind = kind
        self.target_settings = target
        self.write_config()

    def write_config(self, **extra) -> None:
        config = {"default_target": "test", "targets": {"test": self.target_settings}, **extra}
        (self.root / "sluice.yml").write_text(yaml.safe_dump(config))

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def sluice(self, *args: str, env: dict | None = None) -> Result:
        """Run the command line in this process, in the project's folder."""
        return invoke(self.root, *args, env=env)

    def target(self):
        from sluice.config import load_project

        return load_project(self.root).target()

    def query(self, sql: str) -> list[tuple]:
        with self.target() as target:
            return target.connect().fetch(sql).rows


@pytest.fixture
def duckdb_project(tmp_path) -> Project:
    return Project(tmp_path, {"type": "duckdb", "path": ".sluice/test.duckdb", "lock_timeout": 2}, "duckdb")


@pytest.fixture
def postgres_project(tmp_path, pg_dsn) -> Project:
    return Project(tmp_path, pg.target_settings(pg_dsn), "postgres")


@pytest.fixture(params=["duckdb", "postgres"])
def project(request) -> Project:
    """The same test on each warehouse it must pass on."""
    return request.getfixturevalue(f"{request.param}_project")


def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto`: two workers per core. A worker waits about a quarter of its time on
    PostgreSQL's own processes, subprocesses and disk; a second one per core fills that."""
    return 2 * (os.cpu_count() or 1)


def pytest_collection_modifyitems(config, items) -> None:
    """The Hypothesis properties first: each is one long test that no worker can share, so
    started last they would leave the other workers idle at the end of the run. (The
    PostgreSQL ones wrap their property in a plain test that shares a database: by name.)"""
    def is_property(item) -> bool:
        return getattr(getattr(item, "obj", None), "is_hypothesis_test", False) or "converge" in item.name

    items.sort(key=lambda item: not is_property(item))
