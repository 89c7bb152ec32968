"""users.area: a coordinator limited to one area (片区) of the district

Schools already name their area (schools.area, e.g. 上片). A coordinator whose area is set
administers only the schools of that area; an empty area (every existing user) keeps the
district-wide power it had.

Revision ID: 0008a
Revises: 0008s
Create Date: 2026-12-01 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008a'
down_revision = '0008s'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area', sa.String(length=100), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('area')
