"""Finding a PostgreSQL server for the tests.

1. `SLUICE_TEST_PG_DSN`, if set;
2. else a throwaway container via testcontainers, where a Docker engine answers;
3. else a throwaway cluster started from the local server binaries (initdb/pg_ctl), run as the
   `postgres` user when the tests run as root, because the server refuses to run as root.

Each test then gets a database of its own. `SLUICE_REQUIRE_PG=1` turns "no server" into a
failure instead of a skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

SUPERUSER_PASSWORD = "sluice-test-pw"


def require_pg() -> bool:
    return os.environ.get("SLUICE_REQUIRE_PG") == "1"


@contextlib.contextmanager
def pg_server() -> Iterator[str | None]:
    """Yield an admin DSN for a server that can CREATE DATABASE, or None if none is found."""
    dsn = os.environ.get("SLUICE_TEST_PG_DSN")
    if dsn:
        yield dsn
        return
    with contextlib.ExitStack() as stack:
        for finder in (_container, _local_cluster):
            found = finder(stack)
            if found:
                yield found
                return
        yield None


def _container(stack: contextlib.ExitStack) -> str | None:
    if not shutil.which("docker"):
        return None
    try:
        subprocess.run(["docker", "info"], capture_output=True, check=True, timeout=10)
        from testcontainers.postgres import PostgresContainer
    except Exception:  # no engine running, or testcontainers cannot start one
        return None
    container = stack.enter_context(PostgresContainer("postgres:15", driver=None))
    return container.get_connection_url()


def _local_cluster(stack: contextlib.ExitStack) -> str | None:
    bindir = _server_bindir()
    if bindir is None:
        return None
    as_root = os.geteuid() == 0
    runas = ["runuser", "-u", "postgres", "--"] if as_root else []
    data = Path(tempfile.mkdtemp(prefix="sluice-pg-"))
    stack.callback(shutil.rmtree, data, ignore_errors=True)
    pwfile = data / "pw"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    if as_root:
        shutil.chown(data, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    port = _free_port()
    cluster = data / "cluster"
    subprocess.run([*runas, f"{bindir}/initdb", "-D", str(cluster), "-U", "postgres", "--auth=scram-sha-256",
                    f"--pwfile={pwfile}", "-E", "UTF8", "--no-instructions"], check=True, capture_output=True)
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run([*runas, f"{bindir}/pg_ctl", "-D", str(cluster), "-o", options, "-l", str(data / "log"),
                    "-w", "start"], check=True, capture_output=True)
    stack.callback(subprocess.run, [*runas, f"{bindir}/pg_ctl", "-D", str(cluster), "-m", "immediate", "stop"],
                   capture_output=True)
    return f"postgresql://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{port}/postgres"


def _server_bindir() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb") or (candidates[0] if candidates else None)
    return str(Path(found).parent) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def fresh_database(admin_dsn: str) -> Iterator[str]:
    """Create a database for one test and drop it afterwards; yield its DSN."""
    name = f"sluice_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo(admin_dsn, dbname=name)
    finally:
        _drop_database(admin_dsn, name)


def _drop_database(admin_dsn: str, name: str, attempts: int = 5) -> None:
    """Drop a test database. An autovacuum worker can be inside it, and a role that is not a
    superuser may not end that worker (WITH FORCE): wait and retry; a database left behind
    is untidy, not a failed test."""
    for attempt in range(attempts):
        try:
            with psycopg.connect(admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            time.sleep(0.5 * (attempt + 1))
        except psycopg.errors.ObjectInUse:
            time.sleep(0.5 * (attempt + 1))


def target_settings(dsn: str) -> dict:
    """A sluice.yml postgres target for a DSN, password kept in the environment."""
    parts = conninfo_to_dict(dsn)
    os.environ["SLUICE_TEST_PG_PASSWORD"] = parts.get("password", "")
    settings = {"type": "postgres", "host": parts.get("host", "127.0.0.1"), "port": int(parts.get("port", 5432)),
                "dbname": parts["dbname"], "user": parts.get("user", "postgres")}
    if parts.get("password"):
        settings["password"] = "env:SLUICE_TEST_PG_PASSWORD"
    return settings
