"""Options several commands share, declared once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable)
PATH = click.Path(path_type=Path)


def target_option(f: F) -> F:
    return click.option("--target", "-t", help="Target from sluice.yml (default: its default_target).")(f)


def var_option(f: F) -> F:
    return click.option("--var", "vars_", multiple=True, metavar="KEY=VALUE",
                        help="Set a variable; repeatable, or k1=v1,k2=v2.")(f)


def wait_option(f: F) -> F:
    return click.option("--wait", type=click.FloatRange(min=0), default=0.0, show_default=True,
                        help="Seconds to wait for a module's lock before exiting 3.")(f)
