"""`sluice generate --source growth`: the case's two files, deterministic from a seed.

Users visit in marketing sessions (a medium, paid or not) and some register, mostly within
hours of a session. The rows are written in `batches` folders by arrival day
(`batch-0001/sessions.csv`, `batch-0001/conversions.csv`, ...), with the hazards an
incremental run must survive:

- a **late session**: a session that explains a registration arrives in a later batch than
  the registration (its attribution must be redone);
- a **corrected session**: a session sent again in a later batch with another medium (the
  later version counts);
- a **re-sent file**: one more folder after the others, holding the first batch's sessions
  file again, byte for byte (it must add nothing);
- exact duplicate lines inside a file, registrations with no session, users registering twice.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

#: mediums and their weights; the first three are paid
MEDIUMS = (("PAID SEARCH", 14), ("PAID SOCIAL", 4), ("IMPRESSION", 6), ("ORGANIC SEARCH", 16), ("DIRECT", 14),
           ("REFERRAL", 8), ("SOCIAL", 8), ("INVITES", 4), ("MARKETPLACE", 3), ("MAIL", 5), ("OTHER", 3),
           ("SSO", 2))
PAID = {"PAID SEARCH", "PAID SOCIAL", "IMPRESSION"}
FIRST_USER_ID = 30_744_573
SESSION_HEADER = ("user_id", "time_started", "is_paid", "medium")
CONVERSION_HEADER = ("user_id", "registration_time")
HAZARDS = ("late session", "corrected session", "re-sent file")


@dataclass(frozen=True)
class GenerateConfig:
    seed: int = 1
    users: int = 1000
    days: int = 14
    batches: int = 4
    start: date = date(2020, 6, 1)
    #: share of users who register at least once
    register_fraction: float = 0.4
    #: share of registrations whose last session arrives a batch late
    late_fraction: float = 0.05
    #: share of sessions sent again, a batch later, with another medium
    correction_fraction: float = 0.01

    def __post_init__(self) -> None:
        if self.users < 1 or self.days < 1 or self.batches < 1:
            raise ValueError("users, days and batches must be at least 1")


@dataclass
class Generation:
    """The rows of each batch folder, and the hazards the run was too small to hold."""

    sessions: list[list[tuple[str, ...]]]
    conversions: list[list[tuple[str, ...]]]
    missing_hazards: list[str] = field(default_factory=list)


def _text(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S")


def generate(config: GenerateConfig) -> Generation:
    rng = random.Random(config.seed)
    out = Generation([[] for _ in range(config.batches)], [[] for _ in range(config.batches)])
    seen: set[str] = set()
    begin = datetime.combine(config.start, datetime.min.time())

    def batch_of(when: datetime) -> int:
        day = min(max((when - begin).days, 0), config.days - 1)
        return day * config.batches // config.days

    for n in range(config.users):
        user = str(FIRST_USER_ID + n)
        starts = sorted({begin + timedelta(seconds=rng.randrange(config.days * 86_400))
                         for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4)))})
        sessions = [_Session(when, _session_row(user, when, _medium(rng)), batch_of(when)) for when in starts]
        if rng.random() < config.register_fraction:
            _register(rng, config, out, user, sessions, begin, batch_of, seen)
        for session in sessions:
            out.sessions[session.batch].append(session.row)
            if session.batch + 1 < config.batches and rng.random() < config.correction_fraction:
                medium = _medium(rng, besides=session.row[3])
                out.sessions[session.batch + 1].append(_session_row(user, session.when, medium))
                seen.add("corrected session")
    for rows in out.sessions + out.conversions:   # a few lines sent twice in one file
        rows.extend(rng.sample(rows, k=len(rows) // 200))
        rng.shuffle(rows)
    out.missing_hazards = [h for h in HAZARDS if h not in seen and h != "re-sent file"]
    return out


@dataclass
class _Session:
    when: datetime
    row: tuple[str, ...]
    batch: int


def _medium(rng: random.Random, besides: str | None = None) -> str:
    names = [m for m, _ in MEDIUMS if m != besides]
    return rng.choices(names, [w for m, w in MEDIUMS if m != besides])[0]


def _session_row(user: str, when: datetime, medium: str) -> tuple[str, ...]:
    return (user, _text(when), "true" if medium in PAID else "false", medium)


def _register(rng: random.Random, config: GenerateConfig, out: Generation, user: str, sessions: list[_Session],
              begin: datetime, batch_of, seen: set[str]) -> None:
    """One registration (two for a few users): minutes to days after a session, or with none;
    now and then the session arrives a batch after the registration."""
    for _ in range(2 if rng.random() < 0.05 else 1):
        session = rng.choice(sessions) if sessions else None
        if session is not None:
            when = session.when + timedelta(minutes=rng.choice((5, 30, 50, 90, 170, 200, 600, 700, 900, 3000)))
        else:
            when = begin + timedelta(seconds=rng.randrange(config.days * 86_400))
        batch = batch_of(when)
        out.conversions[batch].append((user, _text(when)))
        if session is not None and batch + 1 < config.batches and rng.random() < config.late_fraction:
            session.batch = max(session.batch, batch + 1)
            seen.add("late session")


def batch_dir(out_dir: Path, batch: int) -> Path:
    return out_dir / f"batch-{batch + 1:04d}"


def write_batches(generation: Generation, out_dir: Path) -> tuple[int, int, int]:
    """Write every batch folder, then one more re-sending the first batch's sessions file.
    Returns (folders, session rows, conversion rows)."""
    batches = len(generation.sessions)
    for b in range(batches):
        folder = batch_dir(out_dir, b)
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder / "sessions.csv", SESSION_HEADER, generation.sessions[b])
        _write(folder / "conversions.csv", CONVERSION_HEADER, generation.conversions[b])
    resent = batch_dir(out_dir, batches)
    resent.mkdir(parents=True, exist_ok=True)
    (resent / "sessions.csv").write_bytes((batch_dir(out_dir, 0) / "sessions.csv").read_bytes())
    (resent / "conversions.csv").unlink(missing_ok=True)
    return (batches + 1, sum(map(len, generation.sessions)), sum(map(len, generation.conversions)))


def _write(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
