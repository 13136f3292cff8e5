"""The growth-analytics source (SEEDS-SPEC B.4): marketing sessions and registrations as CSV."""
