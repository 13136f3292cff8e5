"""Amazon Redshift through redshift-connector: PostgreSQL plus its differences.

Verified here: the SQL this target runs is rendered with the `redshift` dialect macros and
parse-checked with sqlglot's Redshift dialect in the test suite. Not verified here: a live
connection (no Redshift is reachable from the build machines), so this class stays a thin
mapping of settings onto `redshift_connector.connect`, whose cursor is DB-API like psycopg's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import redshift_connector

from runner.errors import TargetError
from runner.secrets import redact, register, resolve
from runner.targets.base import Session, Target
from runner.targets.postgres import PostgresTarget


class RedshiftTarget(PostgresTarget):
    type_name = "redshift"
    dialect = "redshift"
    driver_errors = (redshift_connector.Error,)
    settings_keys = frozenset(
        {"host", "port", "dbname", "database", "user", "username", "password", "ssl",
         "sslmode", "timeout", "iam", "cluster_identifier", "region", "profile",
         "application_name"}
    )

    def _open_connection(self) -> Any:
        s = {k: resolve(v) for k, v in self.settings.items() if k != "type"}
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

    def bulk_insert(self, session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Redshift has no `COPY ... FROM STDIN` (its COPY reads S3, DynamoDB or SSH hosts:
        https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html), so this falls back to the
        portable multi-row INSERT: fine for samples and small batches, slow for volume.
        Production loads of enriched events into Redshift go through S3 and COPY (the
        Snowplow RDB loader), which is out of Sluice's scope."""
        return Target.bulk_insert(self, session, table, columns, rows)
