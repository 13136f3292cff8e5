"""Airflow is an extra: the core never imports it, and without it `sluice.airflow` says in
one line which extra brings it (Airflow itself may or may not be installed here: the first
test hides it from the child interpreter)."""

from __future__ import annotations

import subprocess
import sys


def python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_without_airflow_the_integration_names_its_extra():
    result = python("import sys; sys.modules['airflow'] = None; import sluice.airflow")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        'ModuleNotFoundError: sluice.airflow needs Apache Airflow 3: pip install "sluice[airflow]"')


def test_the_core_and_the_command_line_never_import_airflow():
    result = python("import sys, sluice.api, sluice.cli\n"
                    "print(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow'))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
