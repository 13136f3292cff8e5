"""What the Hypothesis properties share: how many examples they draw, and the one set of
health checks they turn off (with the reason)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck

#: A case draws a whole history (dozens of events or calls, each with its ids and clocks) in one
#: `data()` strategy: slower and larger than Hypothesis expects of one draw, by design. Every
#: other health check stays on.
HEAVY_DRAWS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


def examples(default: int) -> int:
    """A property's examples: its `default`, times SLUICE_PROPERTY_SCALE (say 10 for a soak run)."""
    return max(1, round(default * float(os.environ.get("SLUICE_PROPERTY_SCALE", "1"))))
