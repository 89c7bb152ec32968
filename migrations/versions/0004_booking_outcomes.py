"""booking outcomes (used / no-show) and the index the usage and equity reports scan

A booking that took place gets an outcome: the booker, an administrator of the owner school
or a coordinator records whether it was used. The reports count "used" hours from it; the
visiting-teacher lessons (delivered / not delivered) will reuse it.

ix_bookings_confirmed_span is partial (confirmed bookings only, the only ones reports count)
and holds every column the report queries read, so both databases answer them from the index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

CONFIRMED_ONLY = sa.text("status = 'confirmed'")
SPAN_COLUMNS = ['starts_at', 'ends_at', 'resource_id', 'school_id', 'quantity', 'students', 'outcome']


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.Enum('used', 'no_show', name='booking_outcome', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('outcome_recorded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('outcome_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('outcome_note', sa.String(length=500), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_bookings_outcome_recorded_by_id_users'), 'users', ['outcome_recorded_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_bookings_confirmed_span', SPAN_COLUMNS, unique=False,
                              sqlite_where=CONFIRMED_ONLY, postgresql_where=CONFIRMED_ONLY)


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_confirmed_span')
        batch_op.drop_constraint(batch_op.f('fk_bookings_outcome_recorded_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_bookings_booking_outcome'), type_='check')
        batch_op.drop_column('outcome_note')
        batch_op.drop_column('outcome_recorded_by_id')
        batch_op.drop_column('outcome_recorded_at')
        batch_op.drop_column('outcome')
