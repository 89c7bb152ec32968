"""notifications: the in-app list, each person's settings, group robots; the outbox carries them

``notifications`` (one per person and event; UNIQUE (user_id, dedupe_key) keeps a reminder from being
written twice), ``notification_settings`` (email on/off, reminder minutes), ``notification_robots``
(WeCom / DingTalk / Feishu webhooks of a school or a person). The digests' outbox gets the kind
``notification``, a channel (email or a robot), the notification and robot it belongs to and the robot's
JSON body; its UNIQUE (recipient, kind, date) becomes a partial unique index over digests only.

Revision ID: 0009n
Revises: 0008e
Create Date: 2026-12-01 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009n'
down_revision = '0008e'
branch_labels = None
depends_on = None

DIGESTS_ONLY = sa.text("notification_id IS NULL")


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _digest_kinds(*kinds):
    allowed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table('digest_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_digest_outbox_digest_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_digest_outbox_digest_kind'), sa.text(f"kind IN ({allowed})"))


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', _enum('notification_kind', 'approved', 'rejected', 'displaced', 'cancelled', 'changed',
                            'released', 'closure_hit', 'waitlist_offered', 'waitlist_booked', 'reminder'),
              nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_notifications_booking_id_bookings'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'dedupe_key', name=op.f('uq_notifications_user_id_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index('ix_notifications_user_created', ['user_id', 'created_at'], unique=False)

    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('reminder_minutes', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('reminder_minutes IS NULL OR reminder_minutes BETWEEN 1 AND 10080',
                       name=op.f('ck_notification_settings_reminder_minutes_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )

    op.create_table('notification_robots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', _enum('robot_kind', 'wecom', 'dingtalk', 'feishu'), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('markdown', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(school_id IS NULL) <> (user_id IS NULL)', name=op.f('ck_notification_robots_one_owner')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_notification_robots_created_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_notification_robots_school_id_schools'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_robots_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_robots'))
    )
    with op.batch_alter_table('notification_robots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_robots_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_robots_user_id'), ['user_id'], unique=False)

    _digest_kinds('daily', 'weekly', 'itinerary', 'notification')
    with op.batch_alter_table('digest_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', _enum('outbox_channel', 'email', 'wecom', 'dingtalk', 'feishu'),
                                      server_default='email', nullable=False))
        batch_op.add_column(sa.Column('notification_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('robot_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_digest_outbox_notification_id_notifications'), 'notifications',
                                    ['notification_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_digest_outbox_robot_id_notification_robots'), 'notification_robots',
                                    ['robot_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_digest_outbox_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_digest_outbox_robot_id'), ['robot_id'], unique=False)
        batch_op.drop_constraint(batch_op.f('uq_digest_outbox_recipient_id_kind_digest_date'), type_='unique')
        batch_op.create_index('uq_digest_outbox_digest', ['recipient_id', 'kind', 'digest_date'], unique=True,
                              sqlite_where=DIGESTS_ONLY, postgresql_where=DIGESTS_ONLY)


def downgrade():
    op.execute("DELETE FROM digest_outbox WHERE notification_id IS NOT NULL OR kind = 'notification'")
    with op.batch_alter_table('digest_outbox', schema=None) as batch_op:
        batch_op.drop_index('uq_digest_outbox_digest')
        batch_op.create_unique_constraint(batch_op.f('uq_digest_outbox_recipient_id_kind_digest_date'),
                                          ['recipient_id', 'kind', 'digest_date'])
        batch_op.drop_index(batch_op.f('ix_digest_outbox_robot_id'))
        batch_op.drop_index(batch_op.f('ix_digest_outbox_notification_id'))
        batch_op.drop_constraint(batch_op.f('fk_digest_outbox_robot_id_notification_robots'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_digest_outbox_notification_id_notifications'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_digest_outbox_outbox_channel'), type_='check')
        batch_op.drop_column('payload')
        batch_op.drop_column('robot_id')
        batch_op.drop_column('notification_id')
        batch_op.drop_column('channel')
    _digest_kinds('daily', 'weekly', 'itinerary')
    with op.batch_alter_table('notification_robots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_robots_user_id'))
        batch_op.drop_index(batch_op.f('ix_notification_robots_school_id'))
    op.drop_table('notification_robots')
    op.drop_table('notification_settings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_created')
        batch_op.drop_index(batch_op.f('ix_notifications_booking_id'))
    op.drop_table('notifications')
