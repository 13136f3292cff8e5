"""Amazon Redshift through redshift-connector: PostgreSQL plus its differences.

Verified here: the SQL this target runs is rendered with the `redshift` dialect macros and
parse-checked with sqlglot's Redshift dialect in the test suite. Not verified here: a live
connection (no Redshift is reachable from the build machines), so this class stays a thin
mapping of settings onto `redshift_connector.connect`, whose cursor is DB-API like psycopg's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import redshift_connector

from sluice.errors import TargetError
from sluice.secrets import redact, register, resolve
from sluice.targets.base import PLACEHOLDER, Session, Target
from sluice.targets.postgres import PostgresTarget, ServerSettings


class RedshiftSettings(ServerSettings):
    """redshift_connector.connect's arguments besides the server's.
    https://docs.aws.amazon.com/redshift/latest/mgmt/python-configuration-options.html"""

    ssl: bool = True
    timeout: int | None = None
    iam: bool = False
    cluster_identifier: str | None = None
    region: str | None = None
    profile: str | None = None


class RedshiftTarget(PostgresTarget):
    type_name = "redshift"
    dialect = "redshift"
    driver_errors = (redshift_connector.Error,)
    Settings = RedshiftSettings

    def planned_rows(self, session: Session, table: str) -> float | None:
        """None: what a run writes and reads again is analysed, the rest is left to Redshift's
        automatic analyze. Unverified here (no cluster)."""
        return None

    def reclaim(self, session: Session, tables: Sequence[str]) -> None:
        """Nothing: Redshift's automatic vacuum delete reclaims deleted rows in the background,
        and a VACUUM of our own would queue behind the cluster's (one runs at a time)."""

    def _open_connection(self) -> Any:
        s = {k: resolve(v) for k, v in self.given_settings().items()}
        register(s.get("password"))
        kwargs = {
            "host": s.get("host"),
            "port": int(s.get("port", 5439)),
            "database": s.get("dbname") or s.get("database"),
            "user": s.get("user") or s.get("username"),
            "password": s.get("password"),
            # redshift_connector verifies the server certificate unless told otherwise;
            # unlike SQL Runner's `ssl: true`, we never switch verification off silently.
            "ssl": bool(s.get("ssl", True)),
            "sslmode": s.get("sslmode", "verify-ca"),
            "timeout": s.get("timeout"),
            "iam": bool(s.get("iam", False)),
            "cluster_identifier": s.get("cluster_identifier"),
            "region": s.get("region"),
            "profile": s.get("profile"),
            "application_name": s.get("application_name", "sluice"),
        }
        try:
            connection = redshift_connector.connect(**{k: v for k, v in kwargs.items() if v is not None})
        except redshift_connector.Error as exc:
            raise TargetError(f"target '{self.name}': cannot connect: {redact(str(exc))}") from exc
        connection.autocommit = True
        return connection

    def bind(self, statement: str, params: Mapping[str, Any]) -> tuple[str, Any]:
        """redshift_connector's paramstyle is DB-API "format" (`%s`, in order) unless its
        module-wide setting is changed, which Sluice leaves alone."""
        names: list[str] = []

        def positional(match: re.Match) -> str:
            names.append(match.group(1))
            return "%s"

        return PLACEHOLDER.sub(positional, statement.replace("%", "%%")), [params[n] for n in names]

    def stage_text(self, session: Session, name: str, columns: Sequence[str], text: bytes, fmt: str,
                   rows: int) -> None:
        """Redshift's COPY reads S3, DynamoDB or SSH hosts, never the client's stream
        (https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html): `sluice load` types rows
        in Python and uses `bulk_insert` instead."""
        raise NotImplementedError("Redshift's COPY reads S3, not the client: no bulk text staging")

    def bulk_insert(self, session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Redshift has no `COPY ... FROM STDIN` (its COPY reads S3, DynamoDB or SSH hosts:
        https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html), so this falls back to the
        portable multi-row INSERT: fine for samples and small batches, slow for volume.
        Production loads of enriched events into Redshift go through S3 and COPY (the
        Snowplow RDB loader), which is out of Sluice's scope."""
        return Target.bulk_insert(self, session, table, columns, rows)
