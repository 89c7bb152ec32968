"""The waitlist's rules, pure: who is first in line, and what a freed slot does for an entry.

No database session, no request: the services hand in plain values and act on the answer.

- The line is first come first served (the entry's ``order``, its id, assigned under the
  resource's lock); where the resource gives weak schools priority (``waitlist_weak_first``),
  every weak school's entry comes before every other, each group in its own arrival order.
- A freed slot does, for an entry whose wish it touches (in line order):
  the wish's start has passed: the entry expires;
  the whole wish is free and allowed and books without approval: it is booked at once;
  the whole wish is free but needs approval, or the rules refuse it for the teacher now for a
  reason other than the time being held: an offer of the whole wish (accepting books or requests it);
  the wish is still held in part, but the part the freed time covers is not: an offer of that part;
  otherwise the entry keeps waiting.
- An entry is not served while an open offer overlaps its wish: the offer holds that time for the one
  it was made to, until it is taken or lapses (the booking rules see open offers as holds too, see
  booking.waitlist.serving.offer_holds, so nobody books over them directly either).
- Joining is for a time that is held by others and only that: a free time is booked, and a time the
  rules refuse for other reasons (closed, too long, too many students) would never come free.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Iterable, Sequence

# The refusal kinds that mean "someone else holds the time" (booking.bookings.rule_types.Kind values).
HELD = frozenset({"resource_overlap", "quantity", "teacher_busy"})
# Refusals of the time itself, to everyone (a closure or blackout, the opening hours): freed time there is offered to
# nobody. The place stays: if the time opens again, the waitlist job serves it (a new user's walk, 2026-12-06: a
# closure that cancelled the holder's booking offered the closed day, and accepting answered 409 closed).
SHUT = frozenset({"closed", "outside_hours"})


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end

    def within(self, other: "Span") -> bool:
        return other.start <= self.start and self.end <= other.end


@dataclass(frozen=True)
class Place:
    """One entry as the line sees it."""

    id: int
    order: int  # arrival: smaller came first
    weak: bool  # the class's school is a weak school (薄弱学校)
    wish: Span


def in_line(places: Iterable[Place], weak_first: bool) -> list[Place]:
    """``places`` in the order they are served."""
    return sorted(places, key=lambda p: ((not p.weak) if weak_first else False, p.order, p.id))


def merged(spans: Iterable[Span]) -> list[Span]:
    """Touching or overlapping spans joined, in order."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if out and span.start <= out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, span.end))
        else:
            out.append(span)
    return out


def touched(wish: Span, freed: Sequence[Span]) -> bool:
    return any(wish.overlaps(span) for span in freed)


def freed_part(wish: Span, freed: Sequence[Span]) -> Span | None:
    """The longest piece of ``wish`` the freed time covers (the earliest of equals); None when none."""
    pieces = [Span(max(wish.start, s.start), min(wish.end, s.end)) for s in merged(freed) if wish.overlaps(s)]
    if not pieces:
        return None
    return max(pieces, key=lambda p: (p.end - p.start, -p.start.timestamp()))


class Action(StrEnum):
    BOOK = "book"
    OFFER = "offer"
    WAIT = "wait"
    EXPIRE = "expire"


@dataclass(frozen=True)
class Decision:
    action: Action
    span: Span | None = None  # what is booked or offered


def decide(wish: Span, now: datetime, whole_refused: frozenset[str] | set[str], books_at_once: bool,
           part: Span | None = None, part_refused: frozenset[str] | set[str] = frozenset()) -> Decision:
    """What a freed slot does for one entry.

    ``whole_refused``: the refusal kinds of booking the whole wish now (empty: bookable);
    ``books_at_once``: the booking would be confirmed (the resource needs no approval from this teacher);
    ``part`` / ``part_refused``: the part of the wish the freed time covers, and the refusal kinds of it.
    """
    if wish.start <= now:
        return Decision(Action.EXPIRE)
    whole_refused = set(whole_refused)
    if not whole_refused:
        return Decision(Action.BOOK if books_at_once else Action.OFFER, wish)
    if whole_refused & SHUT:
        return Decision(Action.WAIT)
    if not whole_refused & HELD:
        return Decision(Action.OFFER, wish)
    if part is not None and part != wish and part.start > now and not set(part_refused) & HELD:
        return Decision(Action.OFFER, part)
    return Decision(Action.WAIT)


def blocked_by_offers(wish: Span, offers: Iterable[Span]) -> bool:
    """Whether an outstanding offer (to someone earlier in line) holds part of ``wish``."""
    return any(wish.overlaps(offer) for offer in offers)


def may_join(refused: Iterable[str]) -> bool:
    """Whether waiting can help: the time is refused, and only because others hold it."""
    kinds = set(refused)
    return bool(kinds) and kinds <= HELD


def offer_lapsed(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at <= now
