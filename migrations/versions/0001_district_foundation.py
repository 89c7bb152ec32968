"""district foundation

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 14:49:39.663487

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts'))
    )
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempts_remote_addr'), ['remote_addr'], unique=False)

    op.create_table('schools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('stage', sa.Enum('kindergarten', 'primary', 'junior', 'nine_year', name='school_stage', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('enrollment', sa.Integer(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), nullable=False),
    sa.Column('is_weak', sa.Boolean(), nullable=False),
    sa.Column('lead_school_id', sa.Integer(), nullable=True),
    sa.Column('area', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('enrollment >= 0', name=op.f('ck_schools_enrollment_not_negative')),
    sa.CheckConstraint('lead_school_id IS NULL OR lead_school_id <> id', name=op.f('ck_schools_not_tied_to_itself')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_schools_district_id_districts')),
    sa.ForeignKeyConstraint(['lead_school_id'], ['schools.id'], name=op.f('fk_schools_lead_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schools')),
    sa.UniqueConstraint('code', name=op.f('uq_schools_code'))
    )
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schools_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schools_lead_school_id'), ['lead_school_id'], unique=False)

    op.create_table('terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_terms_ends_after_start')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_terms_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms'))
    )
    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_terms_district_id'), ['district_id'], unique=False)

    op.create_table('bell_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_bell_periods_ends_after_start')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_bell_periods_number_positive')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_bell_periods_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bell_periods')),
    sa.UniqueConstraint('school_id', 'number', name=op.f('uq_bell_periods_school_id_number'))
    )
    with op.batch_alter_table('bell_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bell_periods_school_id'), ['school_id'], unique=False)

    op.create_table('closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('source_uid', sa.String(length=255), nullable=True),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_closures_ends_after_start')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_closures_district_id_districts')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_closures_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures'))
    )
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closures_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closures_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_closures_source_uid'), ['source_uid'], unique=False)

    op.create_table('resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_school_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('facility', 'equipment', 'teacher', name='resource_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('category', sa.Enum('gym', 'sports_field', 'lab', 'library', 'music_room', 'art_room', 'computer_room', 'multimedia_room', 'off_campus_base', 'equipment_kit', 'visiting_teacher', name='resource_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('sharing', sa.Enum('district', 'own_school', name='resource_sharing', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('min_duration_minutes', sa.Integer(), nullable=True),
    sa.Column('max_duration_minutes', sa.Integer(), nullable=True),
    sa.Column('max_advance_days', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_resources_capacity_positive')),
    sa.CheckConstraint('max_advance_days IS NULL OR max_advance_days >= 0', name=op.f('ck_resources_advance_not_negative')),
    sa.CheckConstraint('max_duration_minutes IS NULL OR min_duration_minutes IS NULL OR max_duration_minutes >= min_duration_minutes', name=op.f('ck_resources_max_duration_not_below_min')),
    sa.CheckConstraint('min_duration_minutes IS NULL OR min_duration_minutes > 0', name=op.f('ck_resources_min_duration_positive')),
    sa.CheckConstraint('stock >= 1', name=op.f('ck_resources_stock_positive')),
    sa.ForeignKeyConstraint(['owner_school_id'], ['schools.id'], name=op.f('fk_resources_owner_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources'))
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resources_owner_school_id'), ['owner_school_id'], unique=False)

    op.create_table('travel_times',
    sa.Column('school_a_id', sa.Integer(), nullable=False),
    sa.Column('school_b_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.CheckConstraint('minutes >= 0', name=op.f('ck_travel_times_minutes_not_negative')),
    sa.CheckConstraint('school_a_id < school_b_id', name=op.f('ck_travel_times_ordered_pair')),
    sa.ForeignKeyConstraint(['school_a_id'], ['schools.id'], name=op.f('fk_travel_times_school_a_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_b_id'], ['schools.id'], name=op.f('fk_travel_times_school_b_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('school_a_id', 'school_b_id', name=op.f('pk_travel_times'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('teacher', 'school_admin', 'coordinator', name='user_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_users_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_school_id'), ['school_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('opening_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.CheckConstraint('closes > opens', name=op.f('ck_opening_hours_closes_after_opens')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_opening_hours_weekday_range')),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_opening_hours_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_hours'))
    )
    with op.batch_alter_table('opening_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_hours_resource_id'), ['resource_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('opening_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opening_hours_resource_id'))

    op.drop_table('opening_hours')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_school_id'))

    op.drop_table('users')
    op.drop_table('travel_times')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resources_owner_school_id'))

    op.drop_table('resources')
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closures_source_uid'))
        batch_op.drop_index(batch_op.f('ix_closures_school_id'))
        batch_op.drop_index(batch_op.f('ix_closures_district_id'))

    op.drop_table('closures')
    with op.batch_alter_table('bell_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bell_periods_school_id'))

    op.drop_table('bell_periods')
    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_terms_district_id'))

    op.drop_table('terms')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schools_lead_school_id'))
        batch_op.drop_index(batch_op.f('ix_schools_district_id'))

    op.drop_table('schools')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_remote_addr'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_email'))
        batch_op.drop_index(batch_op.f('ix_login_attempts_at'))

    op.drop_table('login_attempts')
    op.drop_table('districts')

