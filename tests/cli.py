"""Running the `sluice` command from tests.

`invoke` runs it in this process with click's CliRunner (fast: no interpreter start, no
re-import); `spawn` runs it in a subprocess, for what needs a process of its own: kills,
locks held by another process, concurrency. Both return (returncode, stdout, stderr).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from sluice.cli import cli


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def invoke(cwd: Path, *args: str, env: dict | None = None) -> Result:
    """`sluice ARGS` in `cwd`, in this process. An exception that escapes the command's error
    boundary is re-raised: a test must never mistake a crash for a handled error."""
    with working_directory(cwd):
        result = CliRunner().invoke(cli, list(args), env=env, prog_name="sluice")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def spawn(cwd: Path, *args: str, env: dict | None = None, timeout: float = 120) -> Result:
    """`sluice ARGS` in `cwd`, in a subprocess of its own."""
    done = subprocess.run([sys.executable, "-m", "sluice", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr)
