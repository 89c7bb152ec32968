"""The seeded demo district, seeded once per test worker and copied fresh for each test module.

Import ``seeded_demo`` by name into a module to use it. The clock stands at the demo's "now".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import select

from booking import clock, create_app
from booking.accounts.models import User
from booking.extensions import db
from booking.i18n import district_zone
from booking.seed.bookings import DEMO_NOW_LOCAL, DEMO_TODAY
from booking.seed.demo import seed_demo
from tests.api_support import bearer
from tests.conftest import _test_app

COORDINATOR = "coordinator@demo.xq"


@dataclass(frozen=True)
class Demo:
    app: Flask
    coordinator_token: dict  # the Authorization header of a coordinator's API token


def _at_demo_now() -> None:
    clock.freeze(datetime.combine(DEMO_TODAY, DEMO_NOW_LOCAL, tzinfo=district_zone()))


@pytest.fixture(scope="session")
def demo_databases(test_databases):
    """The demo seeded once per backend and test worker into ``demo_seeded``, which is never used itself:
    each module gets a fresh copy of it (seeding costs far more than copying)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": test_databases.create("demo_seeded", template="schema"),
                      "TESTING": True, "SECRET_KEY": "test-secret"})
    with app.app_context():
        _at_demo_now()
        seed_demo()
        db.session.remove()
        db.engine.dispose()
    clock.freeze(None)
    return test_databases


@pytest.fixture(scope="session")
def demo_app(demo_databases):
    app = _test_app(demo_databases.create("demo", template="demo_seeded"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def seeded_demo(demo_databases, demo_app):
    """The seeded demo as ``make run`` leaves it, fresh for each module (what a module's tests change
    stays in that module)."""
    with demo_app.app_context():
        db.engine.dispose()
    demo_databases.create("demo", template="demo_seeded")
    with demo_app.app_context():
        _at_demo_now()
        yield Demo(demo_app, bearer(db.session.scalar(select(User).where(User.email == COORDINATOR))))
        db.session.remove()
        db.engine.dispose()
    clock.freeze(None)


@pytest.fixture
def in_demo(seeded_demo):
    """The seeded demo's app, for a test that only reads it, in an application context of the test's own."""
    with seeded_demo.app.app_context():
        yield seeded_demo.app
        db.session.rollback()
