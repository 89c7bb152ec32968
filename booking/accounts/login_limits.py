"""The sign-in counters in the database: claimed atomically before a password is checked.

A claim reads the counter, decides with booking.accounts.throttle, and writes the new counter
with a compare-and-set on its ``version`` (``UPDATE … WHERE version = :seen``). Of two workers that
read the same counter only one write matches; the other reads again and decides anew, so however
many attempts run at once, no more pass than the limit allows. The UPDATE is one statement: on
SQLite it takes the write lock (waiting, busy_timeout), on PostgreSQL the row lock, and each claim
commits before the slow password check, so nothing is held while scrypt runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from booking.accounts import throttle
from booking.accounts.models import LoginThrottle
from booking.extensions import db

# The counter of every email from one address.
ANY_EMAIL = ""
# Each failed compare-and-set means another attempt was counted; past the limit nothing is written
# any more, so a claim settles within about the limit's number of rounds.
MAX_ROUNDS = 1000


@dataclass(frozen=True)
class Limits:
    per_email_at_address: int  # free attempts before the delays start
    per_address: int  # attempts per window from one address, every email together
    window: timedelta

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(config["LOGIN_MAX_FAILURES"], config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
                   timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]))

    def address_policy(self) -> throttle.Policy:
        return throttle.Policy(self.per_address, self.window, growing_delays=False)

    def email_policy(self) -> throttle.Policy:
        return throttle.Policy(self.per_email_at_address, self.window, growing_delays=True)


class TooManyAttempts(Exception):
    def __init__(self, retry_at: datetime):
        super().__init__(retry_at)
        self.retry_at = retry_at


def _key(address: str, email: str):
    return (LoginThrottle.remote_addr == address) & (LoginThrottle.email == email[:255])


def _insert_missing(address: str, email: str, now: datetime) -> None:
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    start = throttle.fresh_counter(now)
    db.session.execute(insert(LoginThrottle).values(
        remote_addr=address, email=email[:255], attempts=start.attempts, version=0,
        window_started_at=start.window_started_at, next_attempt_at=start.next_attempt_at,
    ).on_conflict_do_nothing())
    db.session.commit()


def _read(address: str, email: str) -> tuple[int, throttle.Counter] | None:
    row = db.session.execute(
        select(LoginThrottle.version, LoginThrottle.attempts, LoginThrottle.window_started_at,
               LoginThrottle.next_attempt_at).where(_key(address, email))).one_or_none()
    if row is None:
        return None
    return row.version, throttle.Counter(row.attempts, row.window_started_at, row.next_attempt_at)


def _compare_and_set(address: str, email: str, seen_version: int, counter: throttle.Counter) -> bool:
    result = db.session.execute(
        update(LoginThrottle).where(_key(address, email), LoginThrottle.version == seen_version)
        .values(attempts=counter.attempts, window_started_at=counter.window_started_at,
                next_attempt_at=counter.next_attempt_at, version=seen_version + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _change(address: str, email: str, now: datetime, decide) -> throttle.Decision:
    """Apply ``decide(counter) -> Decision`` to the stored counter atomically; the decision that won."""
    for _round in range(MAX_ROUNDS):
        seen = _read(address, email)
        if seen is None:
            _insert_missing(address, email, now)
            continue
        version, counter = seen
        decision = decide(counter)
        if not decision.allowed:
            db.session.commit()  # end the reading transaction
            return decision
        if _compare_and_set(address, email, version, decision.counter):
            return decision
    raise TooManyAttempts(now + throttle.FIRST_DELAY)


def claim_attempt(email: str, remote_addr: str, limits: Limits, now: datetime) -> None:
    """Count one attempt for ``email`` from ``remote_addr``, or raise TooManyAttempts (nothing counted).

    Commits. The address is claimed first; a refusal for the email gives its claim back.
    """
    address = throttle.address_key(remote_addr)
    for_address = _change(address, ANY_EMAIL, now, lambda c: throttle.claim(c, now, limits.address_policy()))
    if not for_address.allowed:
        raise TooManyAttempts(for_address.retry_at)
    for_email = _change(address, email, now, lambda c: throttle.claim(c, now, limits.email_policy()))
    if not for_email.allowed:
        _release_address(address, now)
        raise TooManyAttempts(for_email.retry_at)


def _release_address(address: str, now: datetime) -> None:
    """Give back an address claim whose attempt was no failure (a good password, or refused for the email)."""
    _change(address, ANY_EMAIL, now, lambda c: throttle.Decision(True, throttle.released(c)))


def succeeded(email: str, remote_addr: str, now: datetime) -> None:
    """The right password: forget the email's failures at this address and give the address claim back."""
    address = throttle.address_key(remote_addr)
    db.session.execute(delete(LoginThrottle).where(_key(address, email)))
    db.session.commit()
    _release_address(address, now)


def forget_quiet_counters(now: datetime, window: timedelta) -> None:
    """Delete counters that no longer count (throttle.is_forgotten holds for both kinds once
    ``next_attempt_at`` lies a window back), so guessed emails do not pile up. Commits."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.next_attempt_at <= now - window))
    db.session.commit()
