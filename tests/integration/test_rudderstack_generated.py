"""The RudderStack family over the generator's sample data (every hazard
the generator makes, in a small run): loaded batch after batch with a run after each, it ends equal to one
run over all the batches."""

from __future__ import annotations

from sluice.events.rudderstack.generate import GenerateConfig, generate
from sluice.events.rudderstack.writer import write_batches
from tests.integration.rudder import RudderModel


def test_generated_batches_one_by_one_equal_one_full_run(tmp_path):
    config = GenerateConfig(seed=7, visitors=50, days=3, batches=4)
    generation = generate(config)
    write_batches(generation, tmp_path / "events", config.batches)
    assert generation.missing_hazards == []
    batches = sorted((tmp_path / "events").glob("batch-*"))
    (tmp_path / "incremental").mkdir()
    (tmp_path / "full").mkdir()
    incremental = RudderModel(tmp_path / "incremental", {"type": "duckdb", "path": ".sluice/i.duckdb"})
    full = RudderModel(tmp_path / "full", {"type": "duckdb", "path": ".sluice/f.duckdb"})
    for batch in batches:
        incremental.load_generated(batch)
        incremental.run()
        full.load_generated(batch)
    full.run()
    outputs = incremental.snapshot()
    assert outputs == full.snapshot()
    assert len(outputs["dbt_session_tracks"]) > 50 and len(outputs["dbt_tracks_flow"]) > 300
    assert len(outputs["rs_activity_session_tracks"]) >= len(outputs["dbt_session_tracks"]) // 2
    # the identity was learnt: some anonymous devices map to a user
    assert any(alias != visitor for alias, visitor, *_ in outputs["dbt_aliases_mapping"])
