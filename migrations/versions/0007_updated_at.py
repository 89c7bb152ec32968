"""updated_at on schools and users; users.profile_updated_at

Calendar feeds print school names and bookers' names, so their ETag and cached events need to
know when those changed. users.updated_at moves on every change (a sign-in too);
profile_updated_at only when what others see of the person changes (name, email, role, school),
which is what the feeds follow.

Existing rows get the time of the migration. The server default stays, so rows inserted with
plain SQL (the benchmarks) still get a value. It is UTC on both backends, as every stored
instant: CURRENT_TIMESTAMP is UTC on SQLite, and PostgreSQL's now() is converted explicitly
because a timestamp column would get the session's local time. On SQLite a non-constant default
makes the batch copy the table (ALTER TABLE ADD COLUMN refuses it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

NEW_COLUMNS = {
    'schools': ['updated_at'],
    'users': ['updated_at', 'profile_updated_at'],
}


def _utc_now():
    """The same SQL as booking.db_types.UtcNow (a migration does not import the application)."""
    if op.get_bind().dialect.name == 'postgresql':
        return sa.text("timezone('utc', now())")
    return sa.text('CURRENT_TIMESTAMP')


def upgrade():
    for table, columns in NEW_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.DateTime(), server_default=_utc_now(), nullable=False))


def downgrade():
    for table, columns in NEW_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column)
