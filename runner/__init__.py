"""Sluice: incremental event modeling with SQL playbooks."""

__version__ = "0.1.0"
