"""One exception tree for everything a user can cause.

Each class carries the process exit status SQL Runner's schedulers expect, so the CLI's
single error boundary can turn any of them into one line and the right code.
"""

from __future__ import annotations


class SluiceError(Exception):
    """Base of every error reported to the user as one line."""

    exit_code = 1


class ConfigError(SluiceError):
    """sluice.yml, a target definition or a command-line argument is wrong."""

    exit_code = 1


class ArgumentError(SluiceError):
    """A command-line argument cannot be used (bad --var, unknown --from-step...)."""

    exit_code = 1


class LockError(SluiceError):
    """A lock command could not do what was asked (nothing to delete, unwritable file)."""

    exit_code = 1


class LockHeld(SluiceError):
    """Somebody else holds the lock; SQL Runner's 'lock exists' status."""

    exit_code = 3


class DryRunError(SluiceError):
    """A --dry-run found a query that would not render or parse."""

    exit_code = 5


class QueryError(SluiceError):
    """A query failed on the warehouse. `offset` is where the failing statement starts in the
    script that ran, `line` the line within that statement the warehouse pointed at."""

    exit_code = 6

    def __init__(self, message: str, offset: int = 0, line: int | None = None):
        super().__init__(message)
        self.offset = offset
        self.line = line


class CheckFailed(SluiceError):
    """A critical data check found failing rows: the module stopped before writing."""

    exit_code = 8


class PlaybookError(SluiceError):
    """A playbook does not parse or does not validate."""

    exit_code = 7


class TemplateError(PlaybookError):
    """A SQL template does not render (missing variable, bad identifier, syntax)."""


class LoadError(SluiceError):
    """`sluice load` could not load a file, or rejected every record of one."""

    exit_code = 1


class StagingError(SluiceError):
    """A warehouse could not read a block of staged text as rows (a record with the wrong
    number of fields, bytes that are not UTF-8); the caller checks the block line by line."""

    exit_code = 1


class TargetError(SluiceError):
    """A warehouse cannot be reached or refused the connection."""

    exit_code = 1
