"""Synthetic RudderStack warehouse data for `sluice generate --source rudderstack`.

`generate(config)` simulates visitors of an e-commerce site (a browser site, an app and the
shop's backend, all writing to one RudderStack namespace) and yields `(batch index, table,
row)`: the row is a dict of the table's columns (`schema.TABLES`) to None, str, int, float or
bool, timestamps as ISO-8601 UTC text with milliseconds; a column without a value may be left
out (read rows with `.get`). `writer.write_batches` turns the rows into load batches: a folder
per batch, one CSV per table.

Simulated time is integer epoch milliseconds; a call's simulated time is the `timestamp`
RudderStack stores (see `calls`). The data has the hazards of real RudderStack data, each
owed once so that even a small run (50 visitors, 3 days, 4 batches) has every one, then left
to the configured fractions (`HAZARDS` names them): offline sittings sent days late; calls
re-sent with the same id (in the same batch, in a later batch, or received earlier but loaded
a batch later); identifies and aliases arriving batches after the anonymous activity they
explain, some with an older timestamp; a browser shared by two users; users on several
devices; sittings across midnight UTC; idle gaps of exactly 1800.000 s and 1800.001 s; Order
Completed tracked only from a later batch, `coupon` from a later one still; a batch without
`uuid_ts` and one without `context_locale`; server-side orders with neither id; traits that
change. `Generation.missing_hazards` names any the run was too small for.
Nothing is read from the clock: the same seed gives the same rows.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sluice.events.rudderstack import DEFAULT_VISITORS
from sluice.events.rudderstack.calls import (
    DAY_MS,
    HOUR_MS,
    RESENDS,
    Device,
    Emitter,
    IsoClock,
    Owed,
    Timeline,
    Visit,
    epoch_ms,
    uuid4,
)
from sluice.events.rudderstack.shop import Shop, User
from sluice.events.rudderstack.site import (
    ANDROID_SOURCE,
    APP,
    BROWSERS,
    CARRIERS,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    GENDERS,
    IOS_SOURCE,
    LAST_NAMES,
    PHONES,
    PLACES,
    WEB_SOURCE,
    Place,
)

__all__ = ["GenerateConfig", "Generation", "HAZARDS", "generate"]

HAZARDS = ("offline", *RESENDS, "gap_1800000", "gap_1800001", "midnight", "late_identify", "late_alias",
           "shared_device", "multi_device", "trait_change", "order", "coupon", "server_anonymous")
#: the identity of a device nobody has identified on: no user_id, no traits
_ANONYMOUS = {"user_id": None}
_FRACTIONS = ("identified_fraction", "app_fraction", "multi_device_fraction", "shared_device_fraction",
              "late_fraction", "out_of_order_fraction", "duplicate_fraction", "alias_fraction",
              "late_alias_fraction", "trait_change_fraction", "server_order_fraction", "anonymous_server_fraction",
              "boundary_gap_fraction", "coupon_fraction")


@dataclass(frozen=True)
class GenerateConfig:
    """What to generate. Batch numbers count from 1 and are capped at `batches`; fractions are of
    visitors, devices, sittings, calls, sign-ups or orders as their names say."""

    seed: int = 1
    visitors: int = DEFAULT_VISITORS
    days: int = 7
    batches: int = 4
    start: date = date(2024, 1, 1)
    #: visitors who sign up (the rest stay anonymous)
    identified_fraction: float = 0.4
    #: devices that run the app rather than a browser
    app_fraction: float = 0.3
    #: signed-up visitors with two or three devices
    multi_device_fraction: float = 0.3
    #: signed-up visitors who also log in on an earlier visitor's browser
    shared_device_fraction: float = 0.03
    #: sittings on a device that was offline: sent one to four days later
    late_fraction: float = 0.02
    #: calls loaded one batch after the one their received_at belongs to
    out_of_order_fraction: float = 0.01
    #: calls RudderStack received twice with the same id
    duplicate_fraction: float = 0.01
    #: sign-ups followed by an alias call from the browser or app
    alias_fraction: float = 0.3
    #: sign-ups aliased again by the backend's nightly job (with the sign-up's timestamp)
    late_alias_fraction: float = 0.2
    #: later identifies that change a trait (email or state)
    trait_change_fraction: float = 0.3
    #: orders confirmed by the backend rather than the browser or app
    server_order_fraction: float = 0.3
    #: backend order calls with neither anonymous_id nor user_id
    anonymous_server_fraction: float = 0.1
    #: anonymous sittings with an idle gap of exactly 1800.000 or 1800.001 s
    boundary_gap_fraction: float = 0.02
    #: orders with a coupon, once coupons exist
    coupon_fraction: float = 0.3
    #: first batch whose slice of time has Order Completed tracking (the table appears there)
    orders_from_batch: int = 2
    #: first batch whose slice of time has coupons (the `coupon` column appears there)
    coupons_from_batch: int = 3
    #: batch whose calls came from an SDK build that sent no locale (0: none)
    locale_gap_batch: int = 4
    #: batches whose files leave `uuid_ts` out, for exercising the loader's stamping (none by
    #: default: a stamp is the load's time, today, so a later file carrying its generated 2024
    #: `uuid_ts` would count as loaded before it and models reading by load order would skip it)
    batches_without_uuid_ts: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for name in ("visitors", "days", "batches"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        for name in ("orders_from_batch", "coupons_from_batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        for name in _FRACTIONS:
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {getattr(self, name)}")


class Generation:
    """The rows of one run, `(batch index from 0, table, row)`, visitor after visitor."""

    def __init__(self, config: GenerateConfig):
        self.config = config
        self._simulation = _Simulation(config)

    def __iter__(self) -> Iterator[tuple[int, str, dict]]:
        """A fresh run each time: iterating again gives the same rows."""
        self._simulation = _Simulation(self.config)
        return self._simulation.run()

    @property
    def missing_hazards(self) -> list[str]:
        """Hazards the last run was too small (too few visitors, days or batches) to contain:
        read it after iterating."""
        return self._simulation.owed.unpaid()


def generate(config: GenerateConfig) -> Generation:
    return Generation(config)


def _timeline(config: GenerateConfig, rng: random.Random) -> Timeline:
    start = epoch_ms(config.start)
    end = start + config.days * DAY_MS
    period = (end - start) // config.batches
    clock = IsoClock()
    loads = []
    for k in range(config.batches):
        slice_end = end if k == config.batches - 1 else start + (k + 1) * period
        loaded = slice_end + rng.randint(5 * 60_000, 25 * 60_000)  # the warehouse sync runs after the slice
        loads.append(None if k + 1 in config.batches_without_uuid_ts else clock.text(loaded))
    gap = config.locale_gap_batch
    return Timeline(start, end, period, tuple(loads), min(gap, config.batches) - 1 if gap else -1)


class _Simulation:
    def __init__(self, config: GenerateConfig):
        self.c = c = config
        self.rng = random.Random(config.seed)
        self.owed = Owed(HAZARDS)
        self.t = _timeline(config, self.rng)
        self.emit = Emitter(self.rng, self.t, self.owed, c.duplicate_fraction, c.out_of_order_fraction)

        def slice_start(batch: int) -> int:
            return self.t.start_ms + (min(batch, c.batches) - 1) * self.t.period_ms

        fractions = {"alias": c.alias_fraction, "late_alias": c.late_alias_fraction,
                     "trait_change": c.trait_change_fraction, "server_order": c.server_order_fraction,
                     "anonymous_server": c.anonymous_server_fraction, "coupon": c.coupon_fraction}
        self.shop = Shop(self.rng, self.emit, self.owed, slice_start(c.orders_from_batch),
                         slice_start(c.coupons_from_batch), fractions)
        #: browsers of signed-up visitors that a later visitor may log in on
        self.lendable: list[Device] = []

    def run(self) -> Iterator[tuple[int, str, dict]]:
        out = self.emit.out
        for n in range(self.c.visitors):
            self.visitor(n)
            yield from out
            out.clear()

    def visitor(self, n: int) -> None:
        """Plan one visitor: place, account, devices, maybe a borrowed browser; then play."""
        rng, c, owed = self.rng, self.c, self.owed
        place = rng.choice(PLACES)
        user = self.user(n, place) if rng.random() < c.identified_fraction else None
        devices = [self.device(place)]
        if user and (owed.due("multi_device") or rng.random() < c.multi_device_fraction):
            devices.append(self.device(place, app=not devices[0].app))
            if rng.random() < 0.3:
                devices.append(self.device(place))
        lend = user and (owed.due("shared_device") or rng.random() < c.shared_device_fraction)
        borrowed = self.borrow() if lend else None
        self.play(devices, borrowed, user)
        if user is None:
            return
        if sum(d.identity["user_id"] == user.user_id for d in devices) > 1:
            owed.pay("multi_device")
        if borrowed is not None and borrowed.identity["user_id"] == user.user_id:
            owed.pay("shared_device")
        if not devices[0].app and devices[0].identity["user_id"] == user.user_id:
            self.lendable.append(devices[0])
            del self.lendable[:-256]

    def play(self, devices: list[Device], borrowed: Device | None, user: User | None) -> None:
        """The visitor's sittings in time order, until the period ends."""
        starts = self.sitting_starts(user is not None)
        signup = self.signup_sitting(starts) if user else -1
        free_at: int | None = self.t.start_ms
        used = set()
        for i, planned in enumerate(starts):
            start = max(planned, free_at)
            device = self.pick_device(devices, borrowed if borrowed not in used and 0 <= signup < i else None, start,
                                      i in (0, signup))
            used.add(device)
            free_at = self.sit(device, start, user if 0 <= signup <= i else None, i == signup,
                               anonymous_only=user is None)
            if free_at is None:
                return
        # every device a visitor has is used at least once; a borrowed browser after its owner is done
        for device in [d for d in devices if d not in used] + ([borrowed] if borrowed and borrowed not in used else []):
            base = max(free_at, device.free_at)
            start = base + self.rng.randint(HOUR_MS, 12 * HOUR_MS)
            start = start if start < self.t.end_ms - 3 * HOUR_MS else base + HOUR_MS
            free_at = self.sit(device, start, user if user and user.signed_up else None, False, False)
            if free_at is None:
                return

    def pick_device(self, devices: list[Device], borrowable: Device | None, start: int, primary: bool) -> Device:
        """The first sitting and the sign-up are on the visitor's first device; a borrowed browser
        once its owner has been away an hour; otherwise any device, the first one most."""
        if primary:
            return devices[0]
        if borrowable is not None and start >= borrowable.free_at + HOUR_MS:
            return borrowable
        return devices[0] if self.rng.random() < 0.5 else self.rng.choice(devices)

    def sit(self, device: Device, start: int, user: User | None, signing_up: bool, anonymous_only: bool) -> int | None:
        """Play one sitting (if it fits in the period); return when the visitor is next free."""
        rng, c, owed, end = self.rng, self.c, self.owed, self.t.end_ms
        pages = 1 + min(int(rng.expovariate(0.3)), 20)
        if owed.due("midnight") and (midnight := (start // DAY_MS + 1) * DAY_MS) + 3 * HOUR_MS < end:
            start, pages = midnight - rng.randint(30_000, 90_000), max(pages, 6)
        if start > end - 3 * HOUR_MS:
            return None
        visit = Visit(device, latency_ms=rng.randint(20, 400))
        if start + DAY_MS + 3 * HOUR_MS < end and (owed.due("offline") or rng.random() < c.late_fraction):
            visit.flush_at = start + rng.randint(DAY_MS, min(4 * DAY_MS, end - start - 2 * HOUR_MS))
        elif anonymous_only and device.identity is _ANONYMOUS:
            visit.exact_gaps = self.exact_gaps()
            pages = max(pages, 3 * len(visit.exact_gaps))
        last = self.shop.sitting(visit, start, user, signing_up, pages)
        if visit.flush_at:
            owed.pay("offline")
        if start // DAY_MS != visit.last_at // DAY_MS:
            owed.pay("midnight")
        device.free_at = last
        return last + 30 * 60_000 + rng.randint(60_000, 12 * HOUR_MS)

    def exact_gaps(self) -> list[int]:
        """Idle gaps right at the 30-minute cutoff: exactly 1800.000 s (same session) and 1800.001 s."""
        owed = [gap for gap in (1_800_000, 1_800_001) if self.owed.due(f"gap_{gap}")]
        if owed or self.rng.random() >= self.c.boundary_gap_fraction:
            return owed
        return [self.rng.choice((1_800_000, 1_800_001))]

    def sitting_starts(self, identified: bool) -> list[int]:
        rng = self.rng
        count = 1 + min(int(rng.expovariate(1 / (2.0 if identified else 0.8))), 20)
        return sorted(rng.randrange(self.t.start_ms, self.t.end_ms - 3 * HOUR_MS) for _ in range(count))

    def signup_sitting(self, starts: list[int]) -> int:
        """Which sitting signs up: often the first; when a late identify is owed, the first that
        falls in a later batch than the first sitting, so anonymous activity is loaded before it."""
        if self.owed.due("late_identify"):
            first = self.t.batch_of(starts[0])
            later = [i for i in range(1, len(starts)) if self.t.batch_of(starts[i]) > first]
            if later:
                return later[0]
        return 0 if self.rng.random() < 0.4 else self.rng.randrange(len(starts))

    def borrow(self) -> Device | None:
        """The lendable browser whose owner finished earliest, if it leaves room in the period."""
        if not self.lendable:
            return None
        device = min(self.lendable, key=lambda d: d.free_at)
        if device.free_at > self.t.end_ms - 6 * HOUR_MS:
            return None
        self.lendable.remove(device)
        return device

    def user(self, n: int, place: Place) -> User:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = _ascii(f"{first}.{last}{n + 1}").lower()
        birthday = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        traits = {"email": f"{local}@{rng.choice(EMAIL_DOMAINS)}", "first_name": first, "last_name": last,
                  "phone": f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}", "gender": rng.choice(GENDERS),
                  "birthday": birthday, "address_country": place.country, "address_state": rng.choice(place.states),
                  "created_at": None}
        user_id = f"user-{n + 1:06d}"
        identity = {"user_id": user_id, **{f"context_traits_{k}": v for k, v in traits.items()}}
        return User(user_id, traits, identity, sends_created_at=rng.random() < 0.8, states=place.states)

    def device(self, place: Place, app: bool | None = None) -> Device:
        rng = self.rng
        app = rng.random() < self.c.app_fraction if app is None else app
        anonymous_id = uuid4(rng)
        ip = f"{place.ip_prefix}.{rng.randint(1, 254)}"
        base = {"anonymous_id": anonymous_id, "context_ip": ip, "context_request_ip": ip,
                "context_locale": place.locale, "context_timezone": place.timezone}
        if app:
            phone = rng.choice(PHONES)
            wifi = rng.random() < 0.6
            base.update(ANDROID_SOURCE if phone.os_name == "Android" else IOS_SOURCE)
            base.update(APP, context_device_id=uuid4(rng), context_device_manufacturer=phone.manufacturer,
                        context_device_model=phone.model, context_device_name=phone.model,
                        context_device_type=phone.device_type, context_os_name=phone.os_name,
                        context_os_version=phone.os_version, context_network_wifi=wifi,
                        context_network_cellular=not wifi, context_network_carrier=rng.choice(CARRIERS),
                        context_screen_width=phone.screen[0], context_screen_height=phone.screen[1],
                        context_screen_density=phone.density)
        else:
            browser = rng.choice(BROWSERS)
            base.update(WEB_SOURCE, context_user_agent=browser.user_agent, context_screen_width=browser.screen[0],
                        context_screen_height=browser.screen[1], context_screen_density=browser.density,
                        context_screen_inner_width=browser.screen[0] - rng.randrange(0, 20),
                        context_screen_inner_height=browser.screen[1] - rng.randrange(60, 180))
        skew = 0 if rng.random() < 0.85 else rng.randint(-2 * HOUR_MS, 2 * HOUR_MS)  # a wrong device clock
        return Device(anonymous_id, app, base, _ANONYMOUS, skew)


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c not in "'")
