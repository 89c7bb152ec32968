"""The sign-in limits as pure rules: when an attempt may go ahead, and what it leaves behind. No database.

Two counters stand in front of every password check (booking.accounts.login_limits keeps them):

- one per email *at one address*: a few free attempts within a window, then growing delays (1, 2, 4 …
  minutes, up to an hour) before each next one. It slows a guesser down without locking out the
  owner, who signs in from another address as usual; a window after the last delay ended forgets it.
- one per address, for every email together: a fixed window with a high limit, so that a school
  behind one NAT address can still sign in while one machine cannot try every teacher's account.

An attempt is counted when it is claimed, before its password is checked, so attempts running at
the same time count against the limit too.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)


@dataclass(frozen=True)
class Counter:
    attempts: int
    window_started_at: datetime
    next_attempt_at: datetime  # no attempt before this instant


@dataclass(frozen=True)
class Policy:
    free_attempts: int  # attempts before the first delay (growing delays) or per window (fixed window)
    window: timedelta
    growing_delays: bool


@dataclass(frozen=True)
class Decision:
    allowed: bool
    counter: Counter  # what to store when allowed
    retry_at: datetime | None = None  # when refused: the first instant another attempt may go ahead


def address_key(remote_addr: str) -> str:
    """What the counters call an address: an IPv6 client by its /64 network, which one household or
    school gets whole (changing the rest of the address would otherwise be a fresh start)."""
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return remote_addr[:64]
    if address.version == 4:
        return str(address)
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/64", strict=False))


def fresh_counter(now: datetime) -> Counter:
    return Counter(attempts=0, window_started_at=now, next_attempt_at=now)


def is_forgotten(counter: Counter, now: datetime, policy: Policy) -> bool:
    """Whether ``counter`` no longer counts: a window has passed since it started, or since its last
    delay ended (growing delays)."""
    if policy.growing_delays:
        return now >= counter.next_attempt_at + policy.window
    return now >= counter.window_started_at + policy.window


def delay_after(attempts: int, policy: Policy) -> timedelta:
    """How long the attempt number ``attempts`` makes the next one wait (growing delays)."""
    beyond = attempts - policy.free_attempts
    if beyond < 0:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(beyond, 16), MAX_DELAY)


def claim(counter: Counter, now: datetime, policy: Policy) -> Decision:
    """May one more attempt go ahead now? When allowed, ``counter`` is what to store for it.

    Only attempts past the free ones wait, so a claim whose ``now`` was read a moment before a
    concurrent one's is not refused for that moment.
    """
    if is_forgotten(counter, now, policy):
        counter = fresh_counter(now)
    if counter.attempts >= policy.free_attempts:
        if not policy.growing_delays:
            return Decision(False, counter, counter.window_started_at + policy.window)
        if now < counter.next_attempt_at:
            return Decision(False, counter, counter.next_attempt_at)
    attempts = counter.attempts + 1
    delay = delay_after(attempts, policy) if policy.growing_delays else timedelta(0)
    next_attempt_at = now + delay if delay else counter.next_attempt_at
    return Decision(True, Counter(attempts, counter.window_started_at, next_attempt_at))


def released(counter: Counter) -> Counter:
    """``counter`` without one claimed attempt that turned out not to be a failure."""
    return Counter(max(counter.attempts - 1, 0), counter.window_started_at, counter.next_attempt_at)
