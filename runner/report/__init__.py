"""`sluice report`: one self-contained HTML page about a project on one target.

`collect.py` reads what the page shows (run history, backlog, locks, data checks, and each
enabled family's headline numbers from the queries its `report.yml` declares, see `spec.py`
and `headlines.py`); `charts.py` draws the charts as inline SVG; `html.py` fills the page's
Jinja2 template. Nothing on the page is fetched from anywhere: styles and charts are inline.
"""

from __future__ import annotations

from typing import Any

from sluice.report.collect import Report, collect

__all__ = ["Report", "collect", "render_html", "write_report"]


def __getattr__(name: str) -> Any:
    # The page and its charts (pygal) are imported when asked for: every other `sluice`
    # command imports this package for DEFAULT_RUNS and should not pay for them.
    if name in ("render_html", "write_report"):
        from sluice.report import html

        return getattr(html, name)
    raise AttributeError(f"module 'sluice.report' has no attribute {name!r}")
