"""waitlist: teachers wait for a full slot; resources may serve weak schools first

waitlist_entries holds each teacher's wish for a time of a resource (one active place per teacher and
wish, a partial unique index), its offer when the time freed, and the booking made for it.
resources.waitlist_weak_first puts the classes of weak schools (schools.is_weak) first in line.

Revision ID: 0009w
Revises: 0009d
Create Date: 2026-12-01 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009w'
down_revision = '0009d'
branch_labels = None
depends_on = None

STATUSES = ('waiting', 'offered', 'booked', 'left', 'expired', 'lapsed')
ACTIVE_ENTRY = sa.text("status IN ('waiting', 'offered')")


def _fk(table, column, target, **kw):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'), **kw)


def upgrade():
    op.create_table('waitlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('class_name', sa.String(length=100), nullable=False),
    sa.Column('students', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum(*STATUSES, name='waitlist_status', native_enum=False, create_constraint=True,
                                length=32), nullable=False),
    sa.Column('offer_starts_at', sa.DateTime(), nullable=True),
    sa.Column('offer_ends_at', sa.DateTime(), nullable=True),
    sa.Column('offered_at', sa.DateTime(), nullable=True),
    sa.Column('offer_expires_at', sa.DateTime(), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_waitlist_entries_ends_after_start')),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_waitlist_entries_quantity_positive')),
    sa.CheckConstraint('students IS NULL OR students >= 0', name=op.f('ck_waitlist_entries_students_not_negative')),
    _fk('waitlist_entries', 'resource_id', 'resources', ondelete='CASCADE'),
    _fk('waitlist_entries', 'user_id', 'users', ondelete='CASCADE'),
    _fk('waitlist_entries', 'school_id', 'schools'),
    _fk('waitlist_entries', 'booking_id', 'bookings', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries'))
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index('ix_waitlist_entries_resource_start', ['resource_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_waitlist_entries_user', ['user_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entries_status'), ['status'], unique=False)
        batch_op.create_index('uq_waitlist_entries_active_wish', ['resource_id', 'user_id', 'starts_at', 'ends_at'],
                              unique=True, sqlite_where=ACTIVE_ENTRY, postgresql_where=ACTIVE_ENTRY)
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waitlist_weak_first', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_column('waitlist_weak_first')
    op.drop_table('waitlist_entries')
