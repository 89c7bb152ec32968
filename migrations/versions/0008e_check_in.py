"""check-in and release of bookings; district-owned bodies; the reports' index takes no-shows too

A booking can be checked in (checked_in_at, by whom) within a window around its start that each
resource sets (check_in: None = the kind's default; minutes before and after the start). One
nobody checked in for by the end of the window is released by the scheduler: cancelled (so the
slot is free again) with outcome no-show and released_at. schools.district_owned marks a row that
stands for the district's own body (青少年活动中心): the reports count its resources as district
resources.

The reports read confirmed bookings and no-shows, released ones (cancelled) included, so their
partial covering index now takes ``status = 'confirmed' OR outcome = 'no_show'`` and holds status.

Revision ID: 0008e
Revises: 0008a
Create Date: 2026-12-01 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008e'
down_revision = '0008a'
branch_labels = None
depends_on = None

CONFIRMED_ONLY = sa.text("status = 'confirmed'")
REPORTED = sa.text("(status = 'confirmed' OR outcome = 'no_show')")
OLD_COLUMNS = ['starts_at', 'ends_at', 'resource_id', 'school_id', 'quantity', 'students', 'outcome']


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_in_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('checked_in_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('released_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_bookings_checked_in_by_id_users'), 'users', ['checked_in_by_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.drop_index('ix_bookings_confirmed_span')
        batch_op.create_index('ix_bookings_report_span', OLD_COLUMNS + ['status'], unique=False,
                              sqlite_where=REPORTED, postgresql_where=REPORTED)
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_in', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('check_in_before_minutes', sa.Integer(), server_default='15', nullable=False))
        batch_op.add_column(sa.Column('check_in_after_minutes', sa.Integer(), server_default='15', nullable=False))
        batch_op.create_check_constraint('check_in_before_range', 'check_in_before_minutes BETWEEN 0 AND 240')
        batch_op.create_check_constraint('check_in_after_range', 'check_in_after_minutes BETWEEN 0 AND 240')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_owned', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('district_owned')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_resources_check_in_after_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_resources_check_in_before_range'), type_='check')
        batch_op.drop_column('check_in_after_minutes')
        batch_op.drop_column('check_in_before_minutes')
        batch_op.drop_column('check_in')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_report_span')
        batch_op.create_index('ix_bookings_confirmed_span', OLD_COLUMNS, unique=False,
                              sqlite_where=CONFIRMED_ONLY, postgresql_where=CONFIRMED_ONLY)
        batch_op.drop_constraint(batch_op.f('fk_bookings_checked_in_by_id_users'), type_='foreignkey')
        batch_op.drop_column('released_at')
        batch_op.drop_column('checked_in_by_id')
        batch_op.drop_column('checked_in_at')
