"""The waitlist's pure rules (booking.waitlist.ordering): no app, no database."""
from datetime import datetime, timedelta, timezone

from booking.waitlist.ordering import (Action, Place, Span, blocked_by_offers, decide, freed_part, in_line, may_join,
                                       merged, offer_lapsed)

T0 = datetime(2026, 9, 3, 1, 50, tzinfo=timezone.utc)


def span(start_minutes: int, end_minutes: int) -> Span:
    return Span(T0 + timedelta(minutes=start_minutes), T0 + timedelta(minutes=end_minutes))


WISH = span(0, 40)
NOW = T0 - timedelta(hours=2)


def test_first_come_first_served_by_arrival():
    places = [Place(3, 3, False, WISH), Place(1, 1, True, WISH), Place(2, 2, False, WISH)]
    assert [p.id for p in in_line(places, weak_first=False)] == [1, 2, 3]


def test_weak_schools_first_each_group_in_arrival_order():
    places = [Place(1, 1, False, WISH), Place(2, 2, True, WISH), Place(3, 3, False, WISH), Place(4, 4, True, WISH)]
    assert [p.id for p in in_line(places, weak_first=True)] == [2, 4, 1, 3]


def test_a_free_wish_books_at_once_or_is_offered_when_it_needs_approval():
    assert decide(WISH, NOW, set(), books_at_once=True).action == Action.BOOK
    offered = decide(WISH, NOW, set(), books_at_once=False)
    assert offered.action == Action.OFFER and offered.span == WISH


def test_rules_refusing_for_the_teacher_now_make_an_offer():
    assert decide(WISH, NOW, {"capacity"}, books_at_once=True).action == Action.OFFER


def test_a_time_shut_to_everyone_is_offered_to_nobody():
    assert decide(WISH, NOW, {"closed"}, books_at_once=True).action == Action.WAIT
    assert decide(WISH, NOW, {"outside_hours", "capacity"}, books_at_once=True).action == Action.WAIT


def test_a_wish_still_held_offers_the_freed_part_or_keeps_waiting():
    part = span(0, 20)
    offered = decide(WISH, NOW, {"resource_overlap"}, True, part, set())
    assert offered.action == Action.OFFER and offered.span == part
    assert decide(WISH, NOW, {"resource_overlap"}, True, part, {"resource_overlap"}).action == Action.WAIT
    assert decide(WISH, NOW, {"quantity"}, True, WISH, set()).action == Action.WAIT  # no other part freed
    assert decide(WISH, NOW, {"resource_overlap"}, True, None).action == Action.WAIT


def test_a_wish_whose_start_passed_expires():
    assert decide(WISH, WISH.start, set(), True).action == Action.EXPIRE
    assert decide(WISH, WISH.start + timedelta(minutes=5), {"resource_overlap"}, True).action == Action.EXPIRE


def test_the_freed_part_is_the_longest_piece_of_the_wish_that_freed():
    assert freed_part(WISH, [span(-30, 10)]) == span(0, 10)
    assert freed_part(WISH, [span(0, 5), span(20, 35)]) == span(20, 35)
    assert freed_part(WISH, [span(0, 10), span(10, 20)]) == span(0, 20)  # touching slots join
    assert freed_part(WISH, [span(50, 60)]) is None
    assert freed_part(WISH, [span(-10, 60)]) == WISH


def test_merged_joins_touching_and_overlapping_spans():
    assert merged([span(20, 30), span(0, 10), span(10, 15), span(25, 40)]) == [span(0, 15), span(20, 40)]


def test_an_outstanding_offer_holds_its_time_against_the_rest_of_the_line():
    assert blocked_by_offers(WISH, [span(30, 60)])
    assert not blocked_by_offers(WISH, [span(40, 60)])  # half-open: touching is not overlapping


def test_joining_is_for_a_time_held_by_others_only():
    assert may_join({"resource_overlap"}) and may_join(["quantity"]) and may_join({"teacher_busy"})
    assert not may_join(set())  # free: book it
    assert not may_join({"resource_overlap", "capacity"})  # waiting would not make the class fit
    assert not may_join({"closed"})


def test_an_offer_lapses_at_its_expiry():
    assert offer_lapsed(T0, T0) and offer_lapsed(T0, T0 + timedelta(seconds=1))
    assert not offer_lapsed(T0, T0 - timedelta(seconds=1)) and not offer_lapsed(None, T0)


def test_the_offer_minutes_are_read_and_checked(tmp_path):
    import pytest

    from booking.config import ConfigError, from_environment

    assert from_environment({"SECRET_KEY": "x"}, tmp_path)["WAITLIST_OFFER_MINUTES"] == 30
    assert from_environment({"SECRET_KEY": "x", "WAITLIST_OFFER_MINUTES": "45"}, tmp_path)["WAITLIST_OFFER_MINUTES"] == 45
    for bad in ("0", "half an hour", "1441"):
        with pytest.raises(ConfigError):
            from_environment({"SECRET_KEY": "x", "WAITLIST_OFFER_MINUTES": bad}, tmp_path)
