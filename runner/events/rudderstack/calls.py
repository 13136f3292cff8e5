"""From SDK calls to RudderStack warehouse rows: clocks, SDK sessions, load batches, re-sends.

Times are integer epoch milliseconds until they are written as ISO-8601 UTC text. The simulated
time of a call is its `timestamp` as RudderStack will store it; the device clock (which may be
skewed) gives `original_timestamp` and `sent_at`, the server clock `received_at`, and
`timestamp = received_at − (sent_at − original_timestamp)` holds on every client row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sluice.events.rudderstack.site import SERVER_IPS, SERVER_SOURCE

HOUR_MS, DAY_MS = 3_600_000, 86_400_000
#: the JS SDK's default session timeout: a call more than this after the last starts a new session
IDLE_MS = 30 * 60_000
_EPOCH = datetime(1970, 1, 1)
#: 'SS.mmmZ' for each millisecond of a minute
_SECONDS = tuple(f"{ms // 1000:02d}.{ms % 1000:03d}Z" for ms in range(60_000))
_UUID_CLEAR = ~(0xC000 << 48 | 0xF000 << 64) & (1 << 128) - 1
_UUID_SET = 0x8000 << 48 | 4 << 76
#: what the three kinds of re-send are called, as the hazards they make
RESENDS = ("resend_same_batch", "resend_later", "resend_first_attempt_loaded_later")


def epoch_ms(day: date) -> int:
    return (day - _EPOCH.date()).days * DAY_MS


class IsoClock(dict):
    """ISO-8601 UTC text with milliseconds of epoch milliseconds; minutes made when first asked."""

    def __missing__(self, minute: int) -> str:
        text = self[minute] = (_EPOCH + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:")
        return text

    def text(self, ms: int) -> str:
        return self[ms // 60_000] + _SECONDS[ms % 60_000]


def uuid4(rng: random.Random) -> str:
    """A version 4 UUID from the seeded generator (uuid.UUID(int=..., version=4), faster)."""
    h = (rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET).to_bytes(16, "big").hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Owed:
    """Hazards owed once each: the first place one can happen, it does, so that even a small run
    has every hazard; after that the configured fractions decide."""

    def __init__(self, names: tuple[str, ...]):
        self.left = dict.fromkeys(names, True)

    def due(self, name: str) -> bool:
        return self.left[name]

    def pay(self, name: str) -> None:
        self.left[name] = False

    def unpaid(self) -> list[str]:
        return [name for name, left in self.left.items() if left]


@dataclass(frozen=True)
class Timeline:
    """The simulated period and its load batches: batch k loads what RudderStack received in the
    k-th equal slice of the period, at `uuid_ts` = `loads[k]` (None: the batch leaves it out)."""

    start_ms: int
    end_ms: int
    period_ms: int
    loads: tuple[str | None, ...]
    #: the batch whose calls lack context_locale (-1: none)
    locale_gap: int

    @property
    def last(self) -> int:
        return len(self.loads) - 1

    def batch_of(self, received_ms: int) -> int:
        return min(self.last, max(0, (received_ms - self.start_ms) // self.period_ms))

    def slice_end(self, batch: int) -> int:
        return self.end_ms if batch == self.last else self.start_ms + (batch + 1) * self.period_ms


@dataclass(eq=False)
class Device:
    """A browser or an app install: one anonymous id, its SDK's session and cached identity."""

    anonymous_id: str
    app: bool
    #: context columns that never change on this device
    base: dict
    #: user_id and context_traits_* the SDK copies onto every call (replaced, never changed)
    identity: dict
    skew_ms: int
    session_id: int | None = None
    #: the device clock's time of the last call
    last_at: int = -(10**15)
    free_at: int = 0
    #: earliest batch that loaded a tracks row of this device
    first_track_batch: int | None = None
    #: (referrer, referring domain) of the browser's first landing, which the JS SDK keeps
    initial: tuple[str, str | None] | None = None
    cart_id: str | None = None
    cart: list = field(default_factory=list)

    def session(self, now: int) -> tuple[int, bool]:
        """(context_session_id, context_session_start) of a call made at `now` by the device's
        clock, as the SDK keeps them: a new session, numbered by its first call's time, when more
        than IDLE_MS passed since the last call (exactly IDLE_MS does not)."""
        start = self.session_id is None or now - self.last_at > IDLE_MS
        if start:
            self.session_id = now
        self.last_at = now
        return self.session_id, start


@dataclass(eq=False)
class Visit:
    """One sitting on one device: its network latency, when it reaches RudderStack if the device
    was offline, and the page (or {} in the app) and campaign the next calls are made on."""

    device: Device
    latency_ms: int
    flush_at: int = 0
    page: dict = field(default_factory=dict)
    campaign: dict = field(default_factory=dict)
    #: idle gaps (ms) to put between a product view and its add to cart, to the millisecond
    exact_gaps: list[int] = field(default_factory=list)
    #: no re-sends: the calls bound an exact idle gap (a retry would carry a different timestamp)
    exact: bool = False
    #: `timestamp` of the latest call
    last_at: int = 0


class Emitter:
    """Turns calls into `(batch, table, row)` appended to `out`. `client` and `server` return the
    call's batch, or None when it reaches RudderStack after the last load (it is not in the data)."""

    def __init__(self, rng: random.Random, timeline: Timeline, owed: Owed, duplicate_fraction: float,
                 out_of_order_fraction: float):
        self.rng, self.t, self.owed = rng, timeline, owed
        self.duplicate_fraction, self.out_of_order_fraction = duplicate_fraction, out_of_order_fraction
        self.clock = IsoClock()
        self.out: list[tuple[int, str, dict]] = []
        self.resends_owed = True
        self._context_key: tuple = ()
        self._context: dict = {}

    def client(self, visit: Visit, t: int, table: str, fields: dict, props: dict | None = None) -> int | None:
        """A call of the device's SDK at `t`; `props` makes it a track call of event table `table`."""
        device, rng = visit.device, self.rng
        original = t - visit.latency_ms + device.skew_ms
        session_id, session_start = device.session(original)
        visit.last_at = t
        if visit.flush_at:  # queued while offline, sent when the device came back
            delay = visit.flush_at - t + 50 + int(rng.random() * 3_000)
        else:  # the app flushes its queue every few seconds; the browser sends each call at once
            delay = 5 + int(rng.random() * (10_000 if device.app else 1_500))
        received = t + delay
        if received >= self.t.end_ms:
            return None
        context = self.context(visit, session_id)
        batch = self.rows(context, t, original, original + delay, received, table, fields, props,
                          True if session_start else None, resend=not visit.exact)
        if props is not None and (device.first_track_batch is None or batch < device.first_track_batch):
            device.first_track_batch = batch
        return batch

    def server(self, t: int, table: str, fields: dict, ids: dict, props: dict | None = None,
               sent: int | None = None) -> int | None:
        """A call of the shop's backend (no session, no device context). Given `sent`, the call is
        a backfill job's that set `timestamp` itself: it has no original_timestamp, and its
        timestamp is not the skew formula's."""
        rng = self.rng
        explicit = sent is not None
        sent = sent if explicit else t + rng.randint(50, 5_000)
        received = sent + rng.randint(2, 40)
        if received >= self.t.end_ms:
            return None
        context = {**SERVER_SOURCE, **ids}
        context["context_ip"] = context["context_request_ip"] = SERVER_IPS[rng.getrandbits(1)]
        original = None if explicit else t - (received - sent)
        return self.rows(context, t, original, sent, received, table, fields, props, None, resend=not explicit)

    def context(self, visit: Visit, session_id: int) -> dict:
        """The context columns of a call; consecutive calls on one page share the dict."""
        device, last = visit.device, self._context_key
        if (not last or last[0] is not device or last[1] is not device.identity or last[2] != session_id
                or last[3] is not visit.page or last[4] is not visit.campaign):
            self._context = {**device.base, **device.identity, "context_session_id": session_id, **visit.page,
                             **visit.campaign}
            self._context_key = (device, device.identity, session_id, visit.page, visit.campaign)
        return self._context

    def rows(self, context: dict, t: int, original: int | None, sent: int, received: int, table: str,
             fields: dict, props: dict | None, session_start: bool | None, resend: bool) -> int:
        """Append the call's rows (tracks + event table for a track call) in its load batch."""
        batch = self.t.batch_of(received)
        if batch < self.t.last and self.rng.random() < self.out_of_order_fraction:
            batch += 1  # the warehouse sync picked it up one load late
        text = self.clock.text
        call = {**context, **fields, "id": uuid4(self.rng), "timestamp": text(t),
                "original_timestamp": None if original is None else text(original), "sent_at": text(sent),
                "received_at": text(received), "context_session_start": session_start}
        tables = (("tracks", call), (table, {**call, **props})) if props is not None else ((table, call),)
        self.load(batch, tables)
        if resend:
            self.resend(batch, tables, t, original, sent, received)
        return batch

    def load(self, batch: int, tables: tuple[tuple[str, dict], ...]) -> None:
        for table, row in tables:
            row["uuid_ts"] = self.t.loads[batch]
            if batch == self.t.locale_gap:
                row["context_locale"] = None  # an SDK build that sent none: the batch's files lack the column
            self.out.append((batch, table, row))

    def resend(self, batch: int, tables: tuple[tuple[str, dict], ...], t: int, original: int | None, sent: int,
               received: int) -> None:
        """Maybe the same call (same id) again: a copy in the same batch, a retry that arrives
        later, or the first attempt, received earlier but loaded a batch after the copy above."""
        later = batch < self.t.last
        kind = self.resend_kind(later)
        if kind is None:
            return
        rng, jitter = self.rng, 0
        if kind == "resend_same_batch":
            copy_batch, shift = batch, 0
        elif kind == "resend_later":
            # the SDK's retry: a later sent_at, received after this batch's slice when there is one;
            # another network delay, so RudderStack computes a slightly different timestamp
            shift = (self.t.slice_end(batch) - received if later else 0) + rng.randint(60_000, HOUR_MS)
            jitter = rng.randint(-30, 120)
            copy_batch = self.t.batch_of(received + shift + jitter)
        elif later:
            # sent (and received) up to 30 s before the copy above: the SDK timed out and retried
            shift, copy_batch = -rng.randint(1, max(1, min(30_000, sent - (original or sent)))), batch + 1
        else:
            return
        if received + shift + jitter >= self.t.end_ms:
            return
        if copy_batch > batch or kind == "resend_same_batch":
            self.owed.pay(kind)
        text = self.clock.text
        stamps = {"sent_at": text(sent + shift), "received_at": text(received + shift + jitter),
                  "timestamp": text(t + jitter)}
        self.load(copy_batch, tuple((table, {**row, **stamps}) for table, row in tables))

    def resend_kind(self, later: bool) -> str | None:
        """An owed kind of re-send that fits (the later ones need a later batch), else one by chance."""
        if self.resends_owed:
            owed = [k for k in RESENDS if self.owed.due(k)]
            self.resends_owed = bool(owed)
            fitting = [k for k in owed if later or k == "resend_same_batch"]
            if fitting:
                return fitting[0]
        if self.rng.random() >= self.duplicate_fraction:
            return None
        return self.rng.choice(RESENDS)
