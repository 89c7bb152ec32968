"""A connection the database dropped (restart, failover, idle timeout) costs no request a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from booking.config import from_environment
from booking.extensions import db
from tests import factories


def test_pooled_connections_are_checked_before_use(tmp_path):
    assert from_environment({}, tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def _end_the_apps_connections(database_url: str) -> int:
    """Like a database restart: every other session of the test database ends (waiting until it has)."""
    outsider = create_engine(database_url, poolclass=NullPool)
    with outsider.connect() as conn:
        ended = conn.execute(text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    outsider.dispose()
    return ended


def test_the_next_request_after_the_database_dropped_the_connection_succeeds(app, backend, database_url,
                                                                              login_as):
    if backend != "postgresql":
        pytest.skip("SQLite has no server that can drop a connection")
    client = login_as(factories.user(locale="en"))
    assert client.get("/profile").status_code == 200
    db.session.remove()  # the request's connection back in the pool, as at the end of every real request
    assert _end_the_apps_connections(database_url) >= 1
    response = client.get("/profile")
    assert response.status_code == 200 and "My profile" in response.get_data(as_text=True)
