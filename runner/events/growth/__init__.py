"""The growth-analytics source: marketing sessions and registrations as CSV."""
