"""`sluice demo` end to end, small, in a folder that is not a Sluice project."""

from __future__ import annotations

import subprocess
import sys


def test_demo_builds_the_model_and_says_what_to_try_next(tmp_path):
    result = subprocess.run([sys.executable, "-m", "runner", "demo", "--events", "3000", "--users", "100",
                             "--days", "3", "--batches", "2"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for needle in ("batch 2/2", "rows per table", "derived.page_views", "time per module", "sample sessions",
                   "next:", "sluice graph"):
        assert needle in out, out
    assert (tmp_path / ".sluice" / "demo" / "demo.duckdb").is_file()
    rows = {line.split("\t")[0]: int(line.split("\t")[1]) for line in out.splitlines()
            if line.startswith(("atomic.", "derived.")) and "\t" in line}
    assert rows["atomic.events"] > 2500 and 0 < rows["derived.users"] <= rows["derived.sessions"] \
        <= rows["derived.page_views"]
