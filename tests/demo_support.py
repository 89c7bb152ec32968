"""The seeded demo district, once per test module: for tests that only read it or send it bad input.

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
from tests.conftest import _empty_all_tables

COORDINATOR = "coordinator@demo.xq"


@dataclass(frozen=True)
class Demo:
    app: Flask
    coordinator_token: dict  # the Authorization header of a coordinator's API token


@pytest.fixture(scope="module")
def seeded_demo(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SECRET_KEY": "test-secret",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        clock.freeze(datetime.combine(DEMO_TODAY, DEMO_NOW_LOCAL, tzinfo=district_zone()))
        seed_demo()
        yield Demo(app, bearer(db.session.scalar(select(User).where(User.email == COORDINATOR))))
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()
    clock.freeze(None)
