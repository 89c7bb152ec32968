"""visiting teachers: profiles, served schools, home-school busy times, mandates, lesson kinds, itineraries

A visiting teacher's profile ties a user to the resource of kind teacher that classes book.
The no-overlap guarantee for a teacher is the bookings exclusion constraint of 0002 (a teacher
is a resource); travel gaps and the weekly cap are checked in the booking transaction, which
locks the teacher's resource row (booking.bookings.guarantee).

bookings gain the subject and kind of a visiting teacher's lesson; the digest outbox accepts
the 06:30 itinerary as a third kind.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LESSON_KINDS = ('demonstration', 'regular', 'training')


def _lesson_kind():
    return sa.Enum(*LESSON_KINDS, name='lesson_kind', native_enum=False, create_constraint=True, length=32)


def _fk(table, column, target, **kw):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'), **kw)


def upgrade():
    op.create_table('visit_settings',
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('auto_confirm', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    _fk('visit_settings', 'district_id', 'districts', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('district_id', name=op.f('pk_visit_settings'))
    )
    op.create_table('mandates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('lesson_kind', _lesson_kind(), nullable=False),
    sa.Column('subject', sa.String(length=50), nullable=False),
    sa.Column('required', sa.Integer(), nullable=False),
    sa.CheckConstraint('required >= 0', name=op.f('ck_mandates_required_not_negative')),
    _fk('mandates', 'term_id', 'terms', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandates')),
    sa.UniqueConstraint('term_id', 'lesson_kind', 'subject', name=op.f('uq_mandates_term_id_lesson_kind_subject'))
    )
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandates_term_id'), ['term_id'], unique=False)

    op.create_table('teacher_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('home_school_id', sa.Integer(), nullable=False),
    sa.Column('weekly_cap', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('weekly_cap > 0', name=op.f('ck_teacher_profiles_weekly_cap_positive')),
    sa.ForeignKeyConstraint(['home_school_id'], ['schools.id'], name=op.f('fk_teacher_profiles_home_school_id_schools')),
    _fk('teacher_profiles', 'resource_id', 'resources'),
    _fk('teacher_profiles', 'user_id', 'users'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teacher_profiles')),
    sa.UniqueConstraint('resource_id', name=op.f('uq_teacher_profiles_resource_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_teacher_profiles_user_id'))
    )
    with op.batch_alter_table('teacher_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teacher_profiles_home_school_id'), ['home_school_id'], unique=False)

    op.create_table('teacher_busy_times',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=True),
    sa.Column('first_date', sa.Date(), nullable=True),
    sa.Column('last_date', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.CheckConstraint('ends > starts', name=op.f('ck_teacher_busy_times_ends_after_start')),
    sa.CheckConstraint('first_date IS NULL OR last_date IS NULL OR last_date >= first_date',
                       name=op.f('ck_teacher_busy_times_dates_in_order')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_teacher_busy_times_weekday_range')),
    sa.ForeignKeyConstraint(['profile_id'], ['teacher_profiles.id'],
                            name=op.f('fk_teacher_busy_times_profile_id_teacher_profiles'), ondelete='CASCADE'),
    _fk('teacher_busy_times', 'term_id', 'terms', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teacher_busy_times'))
    )
    with op.batch_alter_table('teacher_busy_times', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teacher_busy_times_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_busy_times_term_id'), ['term_id'], unique=False)

    op.create_table('teacher_served_schools',
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['teacher_profiles.id'],
                            name=op.f('fk_teacher_served_schools_profile_id_teacher_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_teacher_served_schools_school_id_schools'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('profile_id', 'school_id', name=op.f('pk_teacher_served_schools'))
    )
    op.create_table('teacher_subjects',
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['teacher_profiles.id'],
                            name=op.f('fk_teacher_subjects_profile_id_teacher_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('profile_id', 'subject', name=op.f('pk_teacher_subjects'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lesson_subject', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('lesson_kind', _lesson_kind(), nullable=True))

    _digest_kinds('daily', 'weekly', 'itinerary')


def _digest_kinds(*kinds):
    """Replace the CHECK constraint of digest_outbox.kind (a non-native enum) with one allowing ``kinds``."""
    allowed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table('digest_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_digest_outbox_digest_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_digest_outbox_digest_kind'), sa.text(f"kind IN ({allowed})"))


def downgrade():
    op.execute("DELETE FROM digest_outbox WHERE kind = 'itinerary'")
    _digest_kinds('daily', 'weekly')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_bookings_lesson_kind'), type_='check')
        batch_op.drop_column('lesson_kind')
        batch_op.drop_column('lesson_subject')

    op.drop_table('teacher_subjects')
    op.drop_table('teacher_served_schools')
    with op.batch_alter_table('teacher_busy_times', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teacher_busy_times_term_id'))
        batch_op.drop_index(batch_op.f('ix_teacher_busy_times_profile_id'))

    op.drop_table('teacher_busy_times')
    with op.batch_alter_table('teacher_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teacher_profiles_home_school_id'))

    op.drop_table('teacher_profiles')
    with op.batch_alter_table('mandates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandates_term_id'))

    op.drop_table('mandates')
    op.drop_table('visit_settings')
