"""make-up teaching days (调休上课 / 补班); what a resource does with bookings outside every term

makeup_days: a date taught like a named weekday (follows_weekday, 0 = Monday), district-wide
(school_id NULL) or one school's; source_uid for .ics imports. resources.outside_term: confirm
(the default), refuse or allow a booking in a gap between two terms.

Revision ID: 0009m
Revises: 0009r
Create Date: 2026-12-01 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009m'
down_revision = '0009r'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'makeup_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('follows_weekday', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('source_uid', sa.String(length=255), nullable=True),
        sa.CheckConstraint('follows_weekday BETWEEN 0 AND 6', name=op.f('ck_makeup_days_follows_weekday_range')),
        sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_makeup_days_district_id_districts')),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_makeup_days_school_id_schools'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_makeup_days')),
    )
    with op.batch_alter_table('makeup_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_makeup_days_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_makeup_days_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_makeup_days_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_makeup_days_source_uid'), ['source_uid'], unique=False)
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outside_term', sa.Enum('confirm', 'refuse', 'allow', name='resource_outside_term',
                                                              native_enum=False, create_constraint=True, length=32),
                                      server_default='confirm', nullable=False))


def downgrade():
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_resources_resource_outside_term'), type_='check')
        batch_op.drop_column('outside_term')
    with op.batch_alter_table('makeup_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_makeup_days_source_uid'))
        batch_op.drop_index(batch_op.f('ix_makeup_days_school_id'))
        batch_op.drop_index(batch_op.f('ix_makeup_days_district_id'))
        batch_op.drop_index(batch_op.f('ix_makeup_days_day'))
    op.drop_table('makeup_days')
