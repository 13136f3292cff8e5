"""`sluice report`: one self-contained HTML page about a project on one target.

`collect.py` reads what the page shows (run history, backlog, locks, data checks, and each
enabled family's headline numbers from the queries its `report.yml` declares, see `spec.py`
and `headlines.py`); `charts.py` draws the charts as inline SVG; `html.py` fills the page's
Jinja2 template. Nothing on the page is fetched from anywhere: styles and charts are inline.
"""

from __future__ import annotations

from sluice.report.collect import Report, collect
from sluice.report.html import render_html, write_report

__all__ = ["Report", "collect", "render_html", "write_report"]
