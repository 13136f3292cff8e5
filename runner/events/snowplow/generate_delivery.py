"""How `sluice generate`'s events reach the pipeline: the hazards real collection has and
the batch files events land in.

The simulation (`generate.py`) says what each visitor does and when, on the device's clock.
This module stamps each event as the tracker, collector and enrich would (device clock skew,
send delay, collector and enrich times), and delivers it with the hazards a model has to
survive: sessions sent days late by an offline device, event ids sent twice, null session
ids, and batches that arrive out of order. Batches split the period by collector time.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sluice.events.snowplow.generate import GenerateConfig

HOUR_MS, DAY_MS = 3_600_000, 86_400_000
DAYS_LATE_ALLOWED = 3
EPOCH = datetime(1970, 1, 1)
#: 'SS.mmm' for each millisecond of a minute
_SECONDS = tuple(f"{ms // 1000:02d}.{ms % 1000:03d}" for ms in range(60_000))


class _Minutes(dict):
    """'YYYY-MM-DD HH:MM:' of minutes since the epoch, made when first asked for."""

    def __missing__(self, minute: int) -> str:
        text = self[minute] = (EPOCH + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:")
        return text


class Delivery:
    """Stamps and batches events into `out` as `(batch index, event)`, drawing from the
    simulation's random generator (so the same seed gives the same bytes)."""

    def __init__(self, config: GenerateConfig, rng: random.Random, start_ms: int):
        self.c = config
        self.rng = rng
        self.start_ms = start_ms
        self.period_ms = config.days * DAY_MS / config.batches
        self.out: list[tuple[int, dict]] = []
        self.minutes = _Minutes()

    def offline_ms(self, bot: bool) -> int:
        """How long a session's device stays offline: more than DAYS_LATE_ALLOWED days for a
        `late_fraction` of human sessions, else 0."""
        late = not bot and self.rng.random() < self.c.late_fraction
        return self.rng.randint(DAYS_LATE_ALLOWED * DAY_MS + HOUR_MS, 6 * DAY_MS) if late else 0

    def send(self, ev: dict, created: int, skew_ms: int, offline_ms: int) -> None:
        """Stamp one event made at `created` (true time) as the tracker, collector and enrich
        would, then batch it."""
        c, r = self.c, self.rng.random
        if r() < c.null_session_fraction:
            ev["domain_sessionid"] = None
        sent = created + (offline_ms or 5 + int(r() * 1500))
        collector = sent + 20 + int(r() * 380)
        self.stamp(ev, created + skew_ms, sent + skew_ms, collector)
        batch = self.batch_of(collector)
        if offline_ms:  # the device came back online later: never in the batch it was made in
            batch = max(batch, min(self.batch_of(created) + 1, c.batches - 1))
        if r() < c.out_of_order_fraction:
            batch = min(batch + 1, c.batches - 1)
        self.out.append((batch, ev))
        if r() < c.duplicate_fraction:
            self.duplicate(batch, ev, created + skew_ms, sent + skew_ms, collector)

    def duplicate(self, batch: int, ev: dict, created: int, sent: int, collector: int) -> None:
        """The same event id again: a copy the collector saw twice, or a resend a while later."""
        copy = ev.copy()
        if self.rng.random() < 0.5:
            self.out.append((batch, copy))
            return
        delay = self.rng.randint(60_000, DAY_MS)
        self.stamp(copy, created, sent + delay, collector + delay)
        self.out.append((min(batch + 1, self.c.batches - 1), copy))

    def stamp(self, ev: dict, dvce_created: int, dvce_sent: int, collector: int) -> None:
        """Device times carry the device's clock skew; derived_tstamp corrects it as enrich does.
        Times are epoch milliseconds, written as the enriched format's UTC text."""
        minutes, seconds = self.minutes, _SECONDS
        derived = collector - (dvce_sent - dvce_created)
        etl = collector + 60_000 + int(self.rng.random() * 540_000)
        ev["dvce_created_tstamp"] = minutes[dvce_created // 60_000] + seconds[dvce_created % 60_000]
        ev["dvce_sent_tstamp"] = minutes[dvce_sent // 60_000] + seconds[dvce_sent % 60_000]
        ev["collector_tstamp"] = minutes[collector // 60_000] + seconds[collector % 60_000]
        ev["derived_tstamp"] = minutes[derived // 60_000] + seconds[derived % 60_000]
        ev["etl_tstamp"] = minutes[etl // 60_000] + seconds[etl % 60_000]

    def batch_of(self, ms: int) -> int:
        return min(self.c.batches - 1, max(0, int((ms - self.start_ms) // self.period_ms)))
