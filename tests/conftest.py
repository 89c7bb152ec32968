"""Fixtures: the app on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.

Every database test runs once per backend. The schema is built by the real Alembic
migrations once per backend and test worker, into a database the others are copied from;
between tests the tables are emptied. Each worker gets its own PostgreSQL databases, so
parallel runs never collide.
"""
from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import closing

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from booking import clock, create_app
from booking.config import normalise_database_url
from booking.extensions import db
from booking.reports import cache as report_cache

# Fixtures shared by many modules; a module's own fixture of the same name wins over these.
pytest_plugins = ["tests.booking_support", "tests.teacher_support", "tests.demo_support", "tests.county_support"]

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
# Where a test marked ``one_backend`` runs: the production database when the run has it.
ONE_BACKEND = "postgresql" if "postgresql" in BACKENDS else "sqlite"


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py has marked its walks
def pytest_collection_modifyitems(config, items):
    """Deselect a ``one_backend`` test on the other backends: it exercises the pages or the API's document, not
    the database, and what the database does beneath them the other tests check on both."""
    kept, dropped = [], []
    for item in items:
        backend = getattr(item, "callspec", None) and item.callspec.params.get("test_databases")
        elsewhere = item.get_closest_marker("one_backend") is not None and backend not in (None, ONE_BACKEND)
        (dropped if elsewhere else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        db.engine.dispose()


class TestDatabases:
    """Throwaway databases of one backend for one test worker, copied from each other (a file copy through
    SQLite's backup API, or PostgreSQL's CREATE DATABASE … TEMPLATE): a copy costs far less than migrating
    or seeding again."""

    def __init__(self, backend: str, folder):
        self.backend, self.folder = backend, folder
        self.prefix = f"district_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        if backend == "postgresql":
            self.server_url = make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
            self.admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def url(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder / name}.db"
        return self.server_url.set(database=f"{self.prefix}_{name}").render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        """An empty database ``name``, or a copy of ``template`` (which nobody may be connected to)."""
        if self.backend == "sqlite":
            if template is not None:
                with closing(sqlite3.connect(self.folder / f"{template}.db")) as source, \
                        closing(sqlite3.connect(self.folder / f"{name}.db")) as target:
                    source.backup(target)
        else:
            copy = f' TEMPLATE "{self.prefix}_{template}"' if template else ""
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.prefix}_{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{self.prefix}_{name}"{copy}'))
            self.made.append(name)
        return self.url(name)

    def drop(self, name: str) -> None:
        """Drop ``name`` now, rather than with the others at the end."""
        if self.backend == "sqlite":
            (self.folder / f"{name}.db").unlink(missing_ok=True)
            return
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.prefix}_{name}" WITH (FORCE)'))
        self.made.remove(name)

    def drop_all(self) -> None:
        if self.backend == "postgresql":
            with self.admin.connect() as conn:
                for name in self.made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{self.prefix}_{name}" WITH (FORCE)'))
            self.admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def test_databases(request, tmp_path_factory):
    """The backend's databases: ``schema`` (migrated, never used itself), ``main`` (the tests' own) and
    whatever else copies ``schema``."""
    databases = TestDatabases(request.param, tmp_path_factory.mktemp("db"))
    try:
        _migrate(databases.create("schema"))
        databases.create("main", template="schema")
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture(scope="session")
def database_url(test_databases):
    return test_databases.url("main")


@pytest.fixture
def empty_database_url(test_databases):
    """A new, empty database of the backend (no tables: for a restore or a migration from the start), dropped
    after the test."""
    name = f"empty_{uuid.uuid4().hex[:8]}"
    yield test_databases.create(name)
    test_databases.drop(name)


def _written_tables_and_sequences(tables: list[str]) -> tuple[set[str], list[str]]:
    """The tables holding rows and the id sequences read since their last reset, in one round trip."""
    query = " UNION ALL ".join(f"SELECT 't', '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in tables)
    query += (" UNION ALL SELECT 's', sequencename FROM pg_sequences"
              " WHERE schemaname = current_schema() AND last_value IS NOT NULL")
    found = db.session.execute(text(query)).all()
    return {name for kind, name in found if kind == "t"}, [name for kind, name in found if kind == "s"]


def _empty_all_tables() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        # DELETE of a test's few rows and a reset of the sequences it used cost far less than TRUNCATE,
        # which makes new files for every table; all of it goes in one round trip (a statement without
        # parameters may hold several).
        with_rows, sequences = _written_tables_and_sequences(tables)
        statements = [f"DELETE FROM {name}" for name in reversed(tables) if name in with_rows]
        statements += [f"SELECT setval('{sequence}', 1, false)" for sequence in sequences]
        if statements:
            db.session.execute(text("; ".join(statements)))
    else:
        for name in reversed(tables):
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.commit()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs as in production: in an application context of its
    own, so with its own ``g`` and its own database session that sees only committed rows.

    What the test wrote is committed first; afterwards the test's objects are expired, so the test
    reads back what the request committed (or rolled back) instead of its own identity map.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False, "SERVER_NAME": None}


def _engine_options(database_url: str) -> dict:
    """Tests need no durability: PostgreSQL commits without waiting for the disk (much faster fixtures)."""
    if not database_url.startswith("postgresql"):
        return {}
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True,
                                          "connect_args": {"options": "-c synchronous_commit=off"}}}


def _test_app(database_url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, **TEST_CONFIG, **_engine_options(database_url)})
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def shared_app(database_url):
    """One app per backend and test worker: building an app costs more than most tests."""
    app = _test_app(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(request, database_url, shared_app, tmp_path):
    """The backend's app for one test, with its own instance folder; whatever the test changes in
    ``app.config`` is put back afterwards and its rows are deleted. A test that adds routes asks for
    an app of its own with ``@pytest.mark.own_app``."""
    own = request.node.get_closest_marker("own_app") is not None
    app = _test_app(database_url) if own else shared_app
    saved_config, saved_instance = dict(app.config), app.instance_path
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        report_cache.clear()  # its keys hold change counters, which start again in the emptied tables
        db.session.remove()
        if own:
            db.engine.dispose()
    app.config.clear()
    app.config.update(saved_config)
    app.instance_path = saved_instance
    clock.freeze(None)


@pytest.fixture
def backend(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def login(client, user, password: str = "secret-pass"):
    return client.post("/login", data={"email": user.email, "password": password}, follow_redirects=False)


def sign_in(client, user):
    """``client`` with the session the sign-in page leaves (Flask-Login's user id and session version, the
    user's language), without the page: a test about something else needs no password check (scrypt, and the
    sign-in counters), which the accounts and sign-in limit tests cover through the page itself."""
    db.session.commit()
    with client.session_transaction() as session:
        session.update({"_user_id": user.get_id(), "_fresh": True, "locale": user.locale})
    return client


@pytest.fixture
def login_as(client):
    """Sign ``client`` in as a user (``sign_in``)."""
    return lambda user: sign_in(client, user)
