"""fair shares: priority booking windows, per-school term quotas and their exceptions (issue #14)

booking_windows: days ahead a booking opens for weak schools, other schools and the owner school; one row
for the district, per category or per resource (scope_key "district", "category:lab", "resource:12").
term_quotas: hours per school per term of a resource or a category, fixed or per 100 students, the owner
school's own use apart. quota_exceptions: extra hours granted to one school for one quota in one term.

Revision ID: 0009q
Revises: 0009m
Create Date: 2026-12-01 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009q'
down_revision = '0009m'
branch_labels = None
depends_on = None


def _scope_columns():
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('scope_key', sa.String(length=64), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=True),
        sa.Column('resource_id', sa.Integer(), nullable=True),
    ]


def upgrade():
    op.create_table(
        'booking_windows',
        *_scope_columns(),
        sa.Column('weak_days', sa.Integer(), nullable=True),
        sa.Column('other_days', sa.Integer(), nullable=True),
        sa.Column('owner_days', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('resource_id IS NULL OR category IS NULL', name=op.f('ck_booking_windows_one_level')),
        sa.CheckConstraint('weak_days IS NULL OR weak_days BETWEEN 0 AND 366', name=op.f('ck_booking_windows_weak_days_range')),
        sa.CheckConstraint('other_days IS NULL OR other_days BETWEEN 0 AND 366',
                           name=op.f('ck_booking_windows_other_days_range')),
        sa.CheckConstraint('owner_days IS NULL OR owner_days BETWEEN 0 AND 366',
                           name=op.f('ck_booking_windows_owner_days_range')),
        sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_booking_windows_district_id_districts')),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_booking_windows_resource_id_resources'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_windows')),
        sa.UniqueConstraint('district_id', 'scope_key', name=op.f('uq_booking_windows_district_id_scope_key')),
    )
    with op.batch_alter_table('booking_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_windows_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_windows_resource_id'), ['resource_id'], unique=False)

    op.create_table(
        'term_quotas',
        *_scope_columns(),
        sa.Column('hours', sa.Float(), nullable=True),
        sa.Column('hours_per_100', sa.Float(), nullable=True),
        sa.Column('owner_hours', sa.Float(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('(resource_id IS NULL) <> (category IS NULL)', name=op.f('ck_term_quotas_resource_or_category')),
        sa.CheckConstraint('hours IS NULL OR hours >= 0', name=op.f('ck_term_quotas_hours_not_negative')),
        sa.CheckConstraint('hours_per_100 IS NULL OR hours_per_100 >= 0',
                           name=op.f('ck_term_quotas_hours_per_100_not_negative')),
        sa.CheckConstraint('owner_hours IS NULL OR owner_hours >= 0', name=op.f('ck_term_quotas_owner_hours_not_negative')),
        sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_term_quotas_district_id_districts')),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_term_quotas_resource_id_resources'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_term_quotas')),
        sa.UniqueConstraint('district_id', 'scope_key', name=op.f('uq_term_quotas_district_id_scope_key')),
    )
    with op.batch_alter_table('term_quotas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_term_quotas_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_term_quotas_resource_id'), ['resource_id'], unique=False)

    op.create_table(
        'quota_exceptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('quota_id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('term_id', sa.Integer(), nullable=False),
        sa.Column('extra_hours', sa.Float(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('extra_hours > 0', name=op.f('ck_quota_exceptions_extra_hours_positive')),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_quota_exceptions_granted_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['quota_id'], ['term_quotas.id'], name=op.f('fk_quota_exceptions_quota_id_term_quotas'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_quota_exceptions_school_id_schools'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_quota_exceptions_term_id_terms'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_exceptions')),
    )
    with op.batch_alter_table('quota_exceptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_exceptions_quota_id'), ['quota_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quota_exceptions_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quota_exceptions_term_id'), ['term_id'], unique=False)


def downgrade():
    op.drop_table('quota_exceptions')
    op.drop_table('term_quotas')
    op.drop_table('booking_windows')
