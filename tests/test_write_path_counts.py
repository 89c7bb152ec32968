"""What one booking costs a request in SQL: statements and commits counted (never timed), on both databases.

The booking write path (issue #16): one transaction and ONE commit per booking; nothing read twice in a
request that cannot change in it; a series costs what one date costs; a refusal rolls back and its search
for alternatives is bounded, whatever the size of the district.
"""
from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
import pytest
from sqlalchemy import event

from booking.accounts.models import User
from booking.bookings.planning import BookingInput
from booking.bookings.services import create_booking
from booking.bookings.suggestions import MAX_OTHER_RESOURCES
from booking.extensions import db
from booking.resources.models import Category
from tests import factories
from tests.api_support import bearer
from tests.booking_support import period3, single
from tests.test_booking_pages import BASE

pytest_plugins = ["tests.booking_support"]

# The most statements each request may run. A single booking: the token's user with its school (1), the resource
# with its hours and school, read by the statement that locks it (1), its priority window and term quotas (1), the
# candidate bookings with the waitlist's open offers (1), the calendar: closures, make-up days, terms, blackouts (1),
# the booking, its audit entry and the entry's link to it (3); SQLite adds its BEGIN IMMEDIATE.
SINGLE_POST = {"sqlite": 9, "postgresql": 8}
# A refusal reads what a booking reads, then for its alternatives the nearest resources of the kind with their
# schools and hours and the minutes to each (1), the bells (1), their bookings (1), calendars (1) and windows (1).
REFUSAL = {"sqlite": 11, "postgresql": 10}
PAGE_POST = {"sqlite": 13, "postgresql": 12}  # the page also reads its user, the resource to show, the user's school
#                                               and whether they may see it, the bells of the form


class Counts:
    def __init__(self):
        self.statements: list[str] = []
        self.executed: list[tuple[str, str]] = []  # with their parameters
        self.commits = 0

    def read_twice(self) -> list[str]:
        """SELECTs run more than once with the same parameters: something read again that had been read."""
        seen = Counter(self.executed)
        return [sql for (sql, _), n in seen.items() if n > 1 and sql.lstrip().upper().startswith("SELECT")]

    def reads(self) -> Counter:
        """How often each table was read (by the first table a SELECT names)."""
        return Counter(match.group(1) for s in self.statements if s.lstrip().upper().startswith("SELECT")
                       and (match := re.search(r"\bFROM (\w+)", s)))


@contextmanager
def counting(commit: bool = True):
    if commit:
        db.session.commit()  # what the test wrote is in; only the request's own work is counted
    counts = Counts()

    def statement(conn, cursor, sql, parameters, *rest):
        counts.statements.append(sql)
        counts.executed.append((sql, repr(parameters)))

    def commit(conn):
        counts.commits += 1

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        yield counts
        import os
        if os.environ.get("SHOW_SQL"):
            print("\n=====", len(counts.statements), counts.commits)
            for sql in counts.statements:
                print("--", " ".join(sql.split())[:int(os.environ.get("SHOW_SQL_WIDTH", 220))])
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)


def body_for(resource, day: int = 3, **kw) -> dict:
    start, end = period3(9, day)
    return {"resource_id": resource.id, "title": "力学实验", "students": 30, "start": start.isoformat(),
            "end": end.isoformat(), **kw}


@pytest.fixture
def api(client, teacher):
    headers = bearer(teacher)
    assert client.get("/api/v1/bookings", headers=headers).status_code == 200  # records the token's use

    def post(body):
        return client.post("/api/v1/bookings", json=body, headers=headers)
    return post


def test_a_booking_post_is_one_transaction_with_one_commit(api, lab, backend):
    body = body_for(lab)  # (bodies are made before counting: reading ``lab`` again is the test's, not the request's)
    with counting() as counts:
        response = api(body)
    assert response.status_code == 201, response.get_json()
    assert counts.commits == 1
    assert len(counts.statements) <= SINGLE_POST[backend], counts.statements
    assert not counts.read_twice(), counts.read_twice()
    reads = counts.reads()
    assert reads.pop("resources") == 1  # read once, by the statement that locks it
    assert set(reads.values()) == {1}, reads  # token and user, school, calendars, windows, quotas: each once
    assert sum(s.lstrip().upper().startswith("INSERT") for s in counts.statements) == 3  # booking, audit, its booking


def test_the_token_use_is_written_in_its_own_short_transaction_at_most_every_few_minutes(client, teacher, lab,
                                                                                        backend):
    headers, bodies = bearer(teacher), [body_for(lab), body_for(lab, day=4)]
    with counting() as first:
        assert client.post("/api/v1/bookings", json=bodies[0], headers=headers).status_code == 201
    with counting() as second:
        assert client.post("/api/v1/bookings", json=bodies[1], headers=headers).status_code == 201
    assert [s.split()[0] for s in first.statements].count("UPDATE") == 1 and first.commits == 2
    assert "UPDATE" not in [s.split()[0] for s in second.statements] and second.commits == 1


def test_a_series_costs_what_one_date_costs(api, teacher, lab, backend):
    bodies = [body_for(lab, recurrence={"rrule": "FREQ=WEEKLY;COUNT=2"}),
              body_for(lab, day=4, recurrence={"rrule": "FREQ=WEEKLY;COUNT=20"}, outside_term_ok=True)]
    with counting() as two:
        assert api(bodies[0]).status_code == 201
    with counting() as twenty:
        response = api(bodies[1])
    assert response.status_code == 201, response.get_json()
    assert len(response.get_json()["occurrences"]) == 20
    assert twenty.commits == two.commits == 1
    assert twenty.reads() == two.reads()  # every read is one for all the dates
    if backend == "postgresql":  # one multi-row INSERT (SQLite's driver inserts row by row)
        assert len(twenty.statements) == len(two.statements), twenty.statements
    # Through the service directly: the same work less the token and the reads the test's session holds.
    start, end = period3(9, 2)
    data = BookingInput(resource_id=lab.id, title="x", start=start, end=end, rrule="FREQ=WEEKLY;COUNT=20",
                        outside_term_ok=True)
    with counting() as service:
        create_booking(teacher, data)
        db.session.commit()
    assert len(twenty.statements) <= len(service.statements) + 2


def _labs(count: int):
    school = factories.school()
    return [factories.resource(owner_school=school, category=Category.LAB) for _ in range(count)]


def test_a_refusal_rolls_back_and_its_search_is_bounded(api, client, teacher, lab, backend):
    body = body_for(lab)
    assert api(body).status_code == 201
    _labs(3)
    with counting() as few:
        response = api(body)
    assert response.status_code == 409 and response.get_json()["suggestions"]
    _labs(MAX_OTHER_RESOURCES + 10)
    with counting() as many:
        response = api(body)
    assert response.status_code == 409 and len(response.get_json()["suggestions"]) == 5
    assert few.commits == many.commits == 0
    assert len(many.statements) == len(few.statements) <= REFUSAL[backend], many.statements
    # Only the distances asked for, in the query that ranks: never the district's whole travel matrix.
    assert not [s for s in many.statements if s.lstrip().startswith("SELECT travel_times.school_a_id")]


def test_a_booking_through_the_page_is_one_commit(client, login_as, teacher, lab, backend):
    login_as(teacher)
    path = f"/bookings/new/{lab.id}"
    assert client.get(path).status_code == 200
    with counting() as counts:
        response = client.post(path, data=BASE)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert counts.commits == 1
    assert len(counts.statements) <= PAGE_POST[backend], counts.statements
    assert counts.read_twice() == []  # the class's school too (it stays with the signed-in user)


def test_a_service_booking_reads_nothing_twice(app, teacher, lab):
    data, teacher_id = single(lab), teacher.id
    db.session.commit()
    db.session.expunge_all()  # a fresh session, as a request or a job has
    actor = db.session.get(User, teacher_id)
    with counting(commit=False) as counts:
        create_booking(actor, data)
        db.session.commit()
    assert counts.commits == 1
    assert not counts.read_twice(), counts.read_twice()
    assert counts.reads()["resources"] == 1  # read once, by the statement that locks it


def test_the_pool_is_sized_for_the_threads_of_a_gunicorn_worker(tmp_path):
    from booking.config import ConfigError, from_environment

    postgres = {"DATABASE_URL": "postgresql://district@db/district", "WEB_THREADS": "4"}
    options = from_environment(postgres, tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert (options["pool_size"], options["max_overflow"], options["pool_pre_ping"]) == (5, 5, True)
    assert from_environment({**postgres, "WEB_THREADS": "1"}, tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 2
    assert "pool_size" not in from_environment({}, tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]  # SQLite keeps its own
    with pytest.raises(ConfigError, match="WEB_THREADS"):
        from_environment({**postgres, "WEB_THREADS": "lots"}, tmp_path)
