"""Backups: `backup create` writes a consistent copy, `backup restore` puts it into a fresh, empty database on
each backend (and refuses any other); every school, user and booking comes back."""
from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import select, text

from booking import create_app
from booking.accounts.models import User
from booking.backup.postgres import libpq
from booking.bookings.models import Booking
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.schools.models import School
from tests import factories
from tests.booking_support import freeze, single
from tests.conftest import TEST_CONFIG


@pytest.fixture
def bookings(app):
    freeze()
    lab = factories.resource(name="物理实验室")
    teachers = [factories.user(), factories.user()]
    made = [create_booking(teacher, single(lab, day=day, title=f"实验{day}")).bookings[0]
            for teacher, days in zip(teachers, ((3, 4), (7, 8))) for day in days]
    db.session.commit()
    return made


def contents() -> tuple:
    return (sorted(db.session.scalars(select(School.name))), sorted(db.session.scalars(select(User.email))),
            sorted(db.session.execute(select(Booking.id, Booking.title, Booking.status, Booking.starts_at)).all()))


def run(app, *args):
    return app.test_cli_runner().invoke(args=["backup", *args])


def test_a_backup_restores_into_a_fresh_database_with_everything(app, empty_database_url, bookings, tmp_path):
    before = contents()
    assert len(before[2]) == 4
    path = tmp_path / "backups" / "district.backup"
    result = run(app, "create", str(path))
    assert result.exit_code == 0 and f"Backup written to {path}" in result.output and path.stat().st_size > 0
    assert "already" in run(app, "create", str(path)).output  # never overwrites
    refused = run(app, "restore", str(path))
    assert refused.exit_code == 1 and "not empty" in refused.output  # the live database stays as it is
    assert contents() == before
    restored = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, **TEST_CONFIG})
    with restored.app_context():
        result = run(restored, "restore", str(path))
        assert result.exit_code == 0, result.output
        assert contents() == before
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) is not None
        db.session.remove()
        assert "not empty" in run(restored, "restore", str(path)).output
        db.engine.dispose()


def test_the_default_file_goes_under_instance_backups(app, backend, bookings):
    result = run(app, "create")
    assert result.exit_code == 0, result.output
    written = result.output.strip().removeprefix("Backup written to ")
    assert os.path.dirname(written) == os.path.join(app.instance_path, "backups")
    assert written.endswith(".sqlite3" if backend == "sqlite" else ".dump")


def test_a_sqlite_backup_is_consistent_while_a_writer_holds_its_transaction(app, backend, bookings, tmp_path):
    if backend != "sqlite":
        pytest.skip("SQLite's online backup")
    school_id = bookings[0].school_id
    writer = sqlite3.connect(db.engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE schools SET name = '写到一半' WHERE id = ?", (school_id,))
    try:
        result = run(app, "create", str(tmp_path / "during.sqlite3"))
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "during.sqlite3")
    assert copy.execute("SELECT name FROM schools WHERE id = ?", (school_id,)).fetchone()[0] != "写到一半"
    assert copy.execute("SELECT count(*) FROM bookings").fetchone()[0] == 4
    copy.close()


def test_the_postgresql_password_travels_in_the_environment_not_the_command_line():
    url, env = libpq("postgresql+psycopg://district:s3cr%40t@db.example.cn:5433/district?sslmode=require")
    assert url == "postgresql://district@db.example.cn:5433/district?sslmode=require"
    assert env["PGPASSWORD"] == "s3cr@t"
