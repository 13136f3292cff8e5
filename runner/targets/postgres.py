"""PostgreSQL through psycopg 3.

Connection settings come from `sluice.yml` (host, port, dbname, user, password) or a `dsn`;
secrets are written `env:NAME` and read from the environment, so they never sit in a file.
libpq's own variables (PGPASSWORD, PGHOST...) keep working for what is not set.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import psycopg

from sluice.errors import QueryError, StagingError, TargetError
from sluice.secrets import redact, register, resolve
from sluice.targets.base import Session, Target, TargetSettings


class ServerSettings(TargetSettings):
    """What PostgreSQL and Redshift both take to reach a server; any value may be `env:NAME`.
    `database`/`username` are SQL Runner's spellings of `dbname`/`user`."""

    host: str | None = None
    port: int | str | None = None
    dbname: str | None = None
    database: str | None = None
    user: str | None = None
    username: str | None = None
    password: str | None = None
    sslmode: str | None = None
    application_name: str | None = None


class PostgresSettings(ServerSettings):
    """libpq's settings. A `dsn` is read first, the others override it.
    https://www.postgresql.org/docs/current/libpq-connect.html"""

    dsn: str | None = None
    connect_timeout: int | str | None = None


class PostgresTarget(Target):
    type_name = "postgres"
    dialect = "postgres"
    driver_errors = (psycopg.Error,)
    # The planner knows nothing of a table filled a moment ago until it is analysed (see
    # statistics.py); Redshift inherits this.
    needs_fresh_statistics = True
    Settings: ClassVar[type[TargetSettings]] = PostgresSettings

    def __init__(self, name: str, settings: TargetSettings, project_dir: Path | None = None):
        super().__init__(name, settings, project_dir)
        # Register the secrets now rather than at connect: --fill-templates and --dry-run
        # never connect, yet a template reading the same value must print it masked.
        for key, value in self.given_settings().items():
            if key == "password" or _is_env(value):
                register(_known_secret(value))

    def given_settings(self) -> dict[str, Any]:
        """The settings sluice.yml set, as written (secrets still `env:NAME`)."""
        return self.settings.model_dump(exclude_none=True)

    def connection_kwargs(self) -> dict[str, Any]:
        """The driver's keyword arguments, secrets resolved from the environment."""
        s = {k: resolve(v) for k, v in self.given_settings().items()}
        kwargs = {
            "host": s.get("host"),
            "port": s.get("port"),
            "dbname": s.get("dbname") or s.get("database"),
            "user": s.get("user") or s.get("username"),
            "password": s.get("password"),
            "sslmode": s.get("sslmode"),
            "connect_timeout": s.get("connect_timeout", 10),
            "application_name": s.get("application_name", "sluice"),
        }
        register(kwargs["password"])
        return {k: v for k, v in kwargs.items() if v not in (None, "")}

    def _open_connection(self) -> Any:
        dsn = resolve(self.settings.dsn or "")
        register(self._dsn_password(dsn))
        try:
            return psycopg.connect(dsn, autocommit=True, **self.connection_kwargs())
        except psycopg.Error as exc:
            raise TargetError(self._connect_failure(exc)) from exc

    def _connect_failure(self, exc: BaseException) -> str:
        # libpq's message can span lines and quote the DSN; keep its first meaningful line.
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        reason = next((ln for ln in lines if "FATAL" in ln or "error" in ln.lower()), lines[0] if lines else "")
        return f"target '{self.name}': cannot connect: {redact(reason)}"

    def planned_rows(self, session: Session, table: str) -> float | None:
        # reltuples is -1 until the first VACUUM or ANALYZE (PostgreSQL 14+; 0 before, so there
        # a never-analysed table is caught only by the end-of-run rule, by its 50 rows). A view
        # has -1 forever and nothing to analyse: only tables and materialized views count.
        rows = session.fetch("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:table) "
                             "AND relkind IN ('r', 'p', 'm')", {"table": table}, label="planner statistics").rows
        return float(rows[0][0]) if rows and rows[0][0] is not None else None

    def reclaim(self, session: Session, tables: Sequence[str]) -> None:
        # A staged table is emptied batch by batch; until a vacuum its dead rows stay in the
        # table, and every consumer's read of the next batch scans them all (a catch-up over
        # the history leaves hundreds of MB to read for a batch of a thousand rows).
        for table in tables:
            session.execute(f"VACUUM {table}", label="reclaim released batches")

    def bulk_insert(self, session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """`COPY ... FROM STDIN` (text format), rows streamed through psycopg's `write_row`,
        which formats each value in C: one round trip per buffer instead of per statement.
        https://www.psycopg.org/psycopg3/docs/basic/copy.html"""
        count = 0
        try:
            with session.connection.cursor() as cursor, \
                    cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        except psycopg.Error as exc:
            raise QueryError(self.describe_failure(exc, f"COPY into {table}")) from exc
        return count

    def stage_text(self, session: Session, name: str, columns: Sequence[str], text: bytes, fmt: str,
                   rows: int) -> None:
        """`COPY ... FROM STDIN` into a temporary table, inside a savepoint: a COPY that fails
        (a wrong field count, bytes that are not UTF-8) is rolled back to it and reported as
        StagingError, and the caller's transaction goes on. Plain TSV becomes COPY's text
        format by doubling backslashes. The table keeps rows up to 8 KB uncompressed
        (`toast_tuple_target`): it holds one chunk for a moment, not worth compressing.
        https://www.postgresql.org/docs/current/sql-copy.html"""
        listed = ", ".join(columns)
        options = "FORMAT text, NULL ''" if fmt == "tsv" else "FORMAT csv"
        if fmt == "tsv" and b"\\" in text:
            text = text.replace(b"\\", b"\\\\")
        session.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (ordinal BIGINT GENERATED ALWAYS AS IDENTITY, "
                        f"{', '.join(f'{c} TEXT' for c in columns)}) WITH (toast_tuple_target = 8160); "
                        f"TRUNCATE {name} RESTART IDENTITY; SAVEPOINT sluice_stage", label=f"stage {name}")
        try:
            with session.connection.cursor() as cursor:
                with cursor.copy(f"COPY {name} ({listed}) FROM STDIN ({options})") as copy:
                    copy.write(text)
                copied = cursor.rowcount
        except psycopg.errors.DataError as exc:
            session.execute("ROLLBACK TO SAVEPOINT sluice_stage", label=f"stage {name}")
            raise StagingError(f"COPY refused the block: {' '.join(str(exc).split())}") from exc
        except psycopg.Error as exc:
            raise QueryError(self.describe_failure(exc, f"COPY into {name}")) from exc
        if copied != rows:
            session.execute("ROLLBACK TO SAVEPOINT sluice_stage", label=f"stage {name}")
            raise StagingError(f"COPY read {copied} of {rows} records")
        session.execute("RELEASE SAVEPOINT sluice_stage", label=f"stage {name}")

    @staticmethod
    def _dsn_password(dsn: str) -> str | None:
        if not dsn:
            return None
        try:
            return psycopg.conninfo.conninfo_to_dict(dsn).get("password")
        except psycopg.Error:
            raise TargetError("the target's dsn cannot be parsed") from None


def _is_env(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("env:")


def _known_secret(value: Any) -> str | None:
    """The value a setting stands for, without failing when its variable is unset (that is
    reported when a connection is actually needed)."""
    if _is_env(value):
        return os.environ.get(value[4:])
    return value if isinstance(value, str) else None
