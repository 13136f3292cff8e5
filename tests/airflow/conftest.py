"""Airflow for these tests: its home, DAGs folder and SQLite metadata database in one
temporary folder. Airflow reads its configuration when first imported, so the environment is
set here, before any test module imports it; the database is migrated once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

AIRFLOW_DIR = Path(tempfile.mkdtemp(prefix="sluice-airflow-"))
DAGS_FOLDER = AIRFLOW_DIR / "dags"
os.environ.update({
    "AIRFLOW_HOME": str(AIRFLOW_DIR / "home"),
    "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_DIR / 'airflow.db'}",
})
DAGS_FOLDER.mkdir()

pytest.importorskip("airflow.sdk", reason='Airflow 3 is not installed: pip install -e ".[test]"')


@pytest.fixture(scope="session", autouse=True)
def airflow_db():
    """`airflow db migrate` on the SQLite file, as an operator sets Airflow up."""
    migrated = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    yield
    shutil.rmtree(AIRFLOW_DIR, ignore_errors=True)
