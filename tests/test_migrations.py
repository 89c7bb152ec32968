"""The Alembic migrations build exactly the schema the models describe, on each backend."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from booking.extensions import db


def test_migrations_match_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_the_notifications_migration_goes_down_and_up_again(tmp_path):
    """0009n on SQLite: the outbox's channel CHECK goes with its column, and the digests' UNIQUE comes back."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from booking import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}", "TESTING": True, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade()
        downgrade(revision="0008e")
        inspector = inspect(db.engine)
        assert "notifications" not in inspector.get_table_names()
        assert "channel" not in {column["name"] for column in inspector.get_columns("digest_outbox")}
        assert [c["column_names"] for c in inspector.get_unique_constraints("digest_outbox")] == [
            ["recipient_id", "kind", "digest_date"]]
        upgrade()
        assert "notification_robots" in inspect(db.engine).get_table_names()
        db.engine.dispose()
