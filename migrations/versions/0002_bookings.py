"""bookings: occurrences, recurring series, resource blackouts; the no-overlap guarantee

On PostgreSQL an exclusion constraint (btree_gist) forbids two blocking bookings of one
resource whose half-open intervals [starts_at, ends_at) overlap. Columns are
`timestamp without time zone` holding UTC, so tsrange is exact. SQLite has no such
constraint: there the services serialise writers with BEGIN IMMEDIATE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 14:55:41.378203

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booking_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=True),
    sa.Column('rrule', sa.Text(), nullable=False),
    sa.Column('dtstart', sa.DateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('until', sa.DateTime(), nullable=True),
    sa.Column('period_number', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('class_name', sa.String(length=100), nullable=False),
    sa.Column('students', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'cancelled', name='series_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_booking_series_duration_positive')),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_booking_series_quantity_positive')),
    sa.CheckConstraint('students IS NULL OR students >= 0', name=op.f('ck_booking_series_students_not_negative')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_booking_series_booked_by_id_users')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_booking_series_resource_id_resources')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_booking_series_school_id_schools')),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_booking_series_term_id_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_series'))
    )
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_series_booked_by_id'), ['booked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_series_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_series_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_series_term_id'), ['term_id'], unique=False)

    op.create_table('resource_blackouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_resource_blackouts_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_resource_blackouts_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_blackouts_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_blackouts'))
    )
    with op.batch_alter_table('resource_blackouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_blackouts_resource_id'), ['resource_id'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('booked_by_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'cancelled', 'rejected', 'expired', name='booking_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('blocks', sa.Boolean(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('class_name', sa.String(length=100), nullable=False),
    sa.Column('students', sa.Integer(), nullable=True),
    sa.Column('original_start', sa.DateTime(), nullable=True),
    sa.Column('is_exception', sa.Boolean(), nullable=False),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.CheckConstraint("NOT blocks OR status = 'confirmed'", name=op.f('ck_bookings_only_confirmed_blocks')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_bookings_ends_after_start')),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_bookings_quantity_positive')),
    sa.CheckConstraint('students IS NULL OR students >= 0', name=op.f('ck_bookings_students_not_negative')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_bookings_booked_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_bookings_decided_by_id_users')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_bookings_resource_id_resources')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_bookings_school_id_schools')),
    sa.ForeignKeyConstraint(['series_id'], ['booking_series.id'], name=op.f('fk_bookings_series_id_booking_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_booker_start', ['booked_by_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_bookings_resource_start', ['resource_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_bookings_school_start', ['school_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_status'), ['status'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE bookings ADD CONSTRAINT ex_bookings_no_overlap "
            "EXCLUDE USING gist (resource_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (blocks)"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE bookings DROP CONSTRAINT IF EXISTS ex_bookings_no_overlap")
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_status'))
        batch_op.drop_index(batch_op.f('ix_bookings_series_id'))
        batch_op.drop_index('ix_bookings_school_start')
        batch_op.drop_index('ix_bookings_resource_start')
        batch_op.drop_index('ix_bookings_booker_start')

    op.drop_table('bookings')
    with op.batch_alter_table('resource_blackouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_blackouts_resource_id'))

    op.drop_table('resource_blackouts')
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_series_term_id'))
        batch_op.drop_index(batch_op.f('ix_booking_series_school_id'))
        batch_op.drop_index(batch_op.f('ix_booking_series_resource_id'))
        batch_op.drop_index(batch_op.f('ix_booking_series_booked_by_id'))

    op.drop_table('booking_series')
