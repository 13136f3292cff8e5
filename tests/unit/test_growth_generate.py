"""`sluice generate --source growth`: the same seed writes the same bytes, the hazards of incremental
growth data are in the batches, and the files have the seed case's headers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sluice.events.growth.generate import GenerateConfig, generate, write_batches
from tests.cli import invoke


def read(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    for folder in ("a", "b"):
        write_batches(generate(GenerateConfig(seed=7, users=200)), tmp_path / folder)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    write_batches(generate(GenerateConfig(seed=8, users=200)), tmp_path / "c")
    assert (tmp_path / "c" / files[0]).read_bytes() != (tmp_path / "a" / files[0]).read_bytes()


def test_the_batches_hold_the_hazards(tmp_path):
    generation = generate(GenerateConfig(users=1000, batches=4))
    assert generation.missing_hazards == []
    folders, _, _ = write_batches(generation, tmp_path)
    assert folders == 5
    # the last folder re-sends the first one's sessions file, byte for byte
    assert (tmp_path / "batch-0005/sessions.csv").read_bytes() == (tmp_path / "batch-0001/sessions.csv").read_bytes()
    assert not (tmp_path / "batch-0005" / "conversions.csv").exists()
    sessions = [read(tmp_path / f"batch-{b:04d}" / "sessions.csv") for b in range(1, 5)]
    conversions = [read(tmp_path / f"batch-{b:04d}" / "conversions.csv") for b in range(1, 5)]
    assert all(s[0] == ["user_id", "time_started", "is_paid", "medium"] for s in sessions)
    assert all(c[0] == ["user_id", "registration_time"] for c in conversions)
    first_batch = {}
    for b, rows in enumerate(sessions):
        for user, start, _, medium in rows[1:]:
            first_batch.setdefault((user, start), []).append((b, medium))
    # a corrected session: a later batch holds the same (user, start) with another medium
    assert any(len({m for _, m in v}) > 1 and len({b for b, _ in v}) > 1 for v in first_batch.values())
    # no batch holds two versions of one session (a critical check would stop the run)
    assert all(len({m for b, m in v if b == batch}) <= 1 for v in first_batch.values() for batch in range(4))
    # a late session: it started before a registration of its user loaded in an earlier batch
    registered = {(user, when): b for b, rows in enumerate(conversions) for user, when in rows[1:]}
    assert any(when >= start and b_reg < b_ses for (user, start), v in first_batch.items() for b_ses, _ in v
               for (u, when), b_reg in registered.items() if u == user)
    # a line sent twice inside one file
    assert any(len(rows) != len({tuple(r) for r in rows}) for rows in sessions + conversions)


def test_a_small_run_says_which_hazards_it_could_not_hold():
    assert generate(GenerateConfig(users=3, batches=1)).missing_hazards == ["late session", "corrected session"]


@pytest.mark.parametrize(("args", "message"), [
    (("--late-fraction", "0.1"),
     "--late-fraction applies to --source snowplow or rudderstack only, not --source growth"),
    (("--visitors", "10"), "--visitors applies to --source rudderstack only, not --source growth"),
])
def test_options_growth_does_not_read_are_a_one_line_error(tmp_path: Path, args: tuple[str, ...], message: str):
    result = invoke(tmp_path, "generate", "--source", "growth", "--out", "out", *args)
    assert (result.returncode, result.stderr.strip()) == (1, f"sluice: error: {message}")
    assert not (tmp_path / "out").exists()


def test_the_command_writes_the_batches_and_says_what(tmp_path: Path):
    result = invoke(tmp_path, "generate", "--source", "growth", "--out", "out", "--users", "400", "--batches", "2")
    assert result.returncode == 0, result.stderr
    assert "registrations of 400 users in 3 batch folders under out (the last re-sends the first's sessions.csv)" \
        in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["batch-0001", "batch-0002", "batch-0003"]
