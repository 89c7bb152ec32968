"""Sign-in limits: growing delays per email at one address, a high limit per address, atomic claims.

The rules are tested without an app; the claims against each database, with real threads and
with gunicorn's worker processes firing wrong passwords at the same instant.
"""
from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter as Tally
from datetime import datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import select

from booking import clock
from booking.accounts import passwords, services, throttle
from booking.accounts.login_limits import ANY_EMAIL, Limits, TooManyAttempts
from booking.accounts.models import LoginThrottle
from booking.extensions import db
from tests import factories
from tests.gunicorn_server import fire_together, gunicorn_server

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
EMAIL_POLICY = throttle.Policy(free_attempts=5, window=timedelta(minutes=15), growing_delays=True)
ADDRESS_POLICY = throttle.Policy(free_attempts=3, window=timedelta(minutes=15), growing_delays=False)
PARALLEL = 30

# --- The rules, without an app ---------------------------------------------------------------------


def attempts_at(times: list[datetime], policy: throttle.Policy) -> list[bool]:
    counter, allowed = throttle.fresh_counter(times[0]), []
    for now in times:
        decision = throttle.claim(counter, now, policy)
        allowed.append(decision.allowed)
        counter = decision.counter
    return allowed


def test_free_attempts_then_delays_that_double():
    counter = throttle.fresh_counter(T0)
    for _ in range(5):
        decision = throttle.claim(counter, T0, EMAIL_POLICY)
        assert decision.allowed
        counter = decision.counter
    waits = []
    now = T0
    for _ in range(4):
        refused = throttle.claim(counter, now, EMAIL_POLICY)
        assert not refused.allowed
        waits.append(refused.retry_at - now)
        now = refused.retry_at
        counter = throttle.claim(counter, now, EMAIL_POLICY).counter
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]


def test_delays_stop_growing_at_an_hour_and_a_quiet_window_forgets():
    assert throttle.delay_after(5 + 40, EMAIL_POLICY) == throttle.MAX_DELAY
    counter = throttle.Counter(attempts=12, window_started_at=T0, next_attempt_at=T0 + timedelta(hours=1))
    assert not throttle.claim(counter, T0 + timedelta(minutes=59), EMAIL_POLICY).allowed
    after_the_quiet_window = throttle.claim(counter, T0 + timedelta(hours=1, minutes=15), EMAIL_POLICY)
    assert after_the_quiet_window.allowed and after_the_quiet_window.counter.attempts == 1


def test_the_address_limit_is_a_fixed_window():
    minutes = [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3, 14, 15, 15)]
    assert attempts_at(minutes, ADDRESS_POLICY) == [True, True, True, False, False, True, True]
    full = throttle.Counter(3, T0, T0)
    assert throttle.claim(full, T0 + timedelta(minutes=5), ADDRESS_POLICY).retry_at == T0 + timedelta(minutes=15)
    assert throttle.claim(throttle.released(full), T0 + timedelta(minutes=5), ADDRESS_POLICY).allowed


def test_an_ipv6_client_counts_by_its_64_network():
    assert throttle.address_key("2001:db8:1:2:aaaa::1") == throttle.address_key("2001:db8:1:2:bbbb::9") \
        == "2001:db8:1:2::/64"
    assert throttle.address_key("2001:db8:1:3::1") != throttle.address_key("2001:db8:1:2::1")
    assert throttle.address_key("203.0.113.7") == throttle.address_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert throttle.address_key("") == ""


# --- Claims in the database ------------------------------------------------------------------------


@pytest.fixture
def limits(app) -> Limits:
    return Limits(per_email_at_address=5, per_address=40, window=timedelta(minutes=15))


def test_a_school_behind_one_address_is_not_locked_out_by_a_few_mistakes(app, limits):
    # Twenty-five teachers each mistype once from the school's one address: all of them still get in.
    school = factories.school()
    teachers = [factories.user(school=school) for _ in range(25)]
    for teacher in teachers:
        assert services.authenticate(teacher.email, "typo-pass", "10.0.0.1", limits) is None
    assert all(services.authenticate(t.email, "secret-pass", "10.0.0.1", limits) == t for t in teachers)


def test_the_address_limit_refuses_past_it_and_counts_only_failures(app):
    limits = Limits(per_email_at_address=5, per_address=4, window=timedelta(minutes=15))
    clock.freeze(T0)
    people = [factories.user() for _ in range(5)]
    assert services.authenticate(people[0].email, "secret-pass", "10.0.0.2", limits) == people[0]
    for person in people[:4]:
        assert services.authenticate(person.email, "wrong-pass", "10.0.0.2", limits) is None
    with pytest.raises(TooManyAttempts) as refused:
        services.authenticate(people[4].email, "secret-pass", "10.0.0.2", limits)
    assert refused.value.retry_at == T0 + timedelta(minutes=15)
    assert services.authenticate(people[4].email, "secret-pass", "10.0.0.3", limits) == people[4]


def _count_password_checks(monkeypatch) -> list[int]:
    checks = []
    real = passwords.verify_password

    def counting(password_hash, password):
        checks.append(1)
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting)
    return checks


def test_thirty_attempts_at_once_check_no_more_passwords_than_the_limit(app, limits, monkeypatch):
    teacher = factories.user()
    email = teacher.email  # read here: the threads must not touch this thread's session
    checks = _count_password_checks(monkeypatch)
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[str] = []

    def attempt():
        with app.app_context():  # each thread its own session and connection
            barrier.wait()
            try:
                outcome = "refused" if services.authenticate(email, "wrong-pass", "10.0.0.9", limits) \
                    is None else "signed in"
            except TooManyAttempts:
                outcome = "throttled"
            finally:
                db.session.remove()
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Tally(outcomes) == {"refused": 5, "throttled": PARALLEL - 5}
    assert len(checks) == 5
    db.session.expire_all()
    stored = db.session.scalar(select(LoginThrottle).filter_by(remote_addr="10.0.0.9", email=teacher.email))
    assert stored.attempts == 5
    address = db.session.scalar(select(LoginThrottle).filter_by(remote_addr="10.0.0.9", email=ANY_EMAIL))
    assert address.attempts == 5  # the refused ones gave their address claims back


# --- Through gunicorn's worker processes -----------------------------------------------------------


@pytest.fixture(scope="module")
def server(database_url):
    with gunicorn_server(database_url, workers=8) as base_url:
        yield base_url


def _signed_in_form(base_url: str) -> tuple[str, str]:
    """A session cookie and the CSRF token of its login form (the server runs with CSRF on)."""
    with urllib.request.urlopen(f"{base_url}/login", timeout=30) as response:
        cookie = response.headers["Set-Cookie"].split(";")[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.read().decode()).group(1)
    return cookie, token


def _post_login(base_url: str, cookie: str, token: str, email: str, password: str) -> int:
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    request = urllib.request.Request(f"{base_url}/login", data=body, method="POST", headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_thirty_wrong_passwords_at_once_over_http_get_five_checks(app, server):
    teacher = factories.user()
    forms = [_signed_in_form(server) for _ in range(PARALLEL)]
    statuses = fire_together([partial(_post_login, server, cookie, token, teacher.email, "wrong-pass")
                              for cookie, token in forms])
    # 401 is a password checked and found wrong; 429 was refused before any check.
    assert Tally(statuses) == {401: 5, 429: PARALLEL - 5}, statuses
