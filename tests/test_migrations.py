"""The Alembic migrations build exactly the schema the models describe, on each backend."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from booking.extensions import db


def test_migrations_match_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []
