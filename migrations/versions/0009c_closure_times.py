"""closures may close a time range of their days (08:00–12:00) instead of whole days

Revision ID: 0009c
Revises: 0009q
Create Date: 2026-12-01 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009c'
down_revision = '0009q'
branch_labels = None
depends_on = None

TIME_RANGE = ('(start_time IS NULL AND end_time IS NULL) OR '
              '(start_time IS NOT NULL AND end_time IS NOT NULL AND end_time > start_time)')


def upgrade():
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('end_time', sa.Time(), nullable=True))
        batch_op.create_check_constraint('time_range', TIME_RANGE)


def downgrade():
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_closures_time_range'), type_='check')
        batch_op.drop_column('end_time')
        batch_op.drop_column('start_time')
