"""digests: job claims, the outbox, last-digest markers, and each user's digest frequency

job_runs' UNIQUE (job, scheduled_for) is the exactly-once claim of a scheduled run; the
outbox's UNIQUE (recipient_id, kind, digest_date) keeps a digest from being rendered twice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'scheduled_for', name=op.f('uq_job_runs_job_scheduled_for'))
    )

    op.create_table('digest_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('recipient_email', sa.String(length=255), nullable=False),
    sa.Column('kind', _enum('digest_kind', 'daily', 'weekly'), nullable=False),
    sa.Column('digest_date', sa.Date(), nullable=False),
    sa.Column('job_run_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', _enum('outbox_status', 'pending', 'sent'), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_digest_outbox_recipient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_run_id'], ['job_runs.id'], name=op.f('fk_digest_outbox_job_run_id_job_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_outbox')),
    sa.UniqueConstraint('recipient_id', 'kind', 'digest_date', name=op.f('uq_digest_outbox_recipient_id_kind_digest_date'))
    )
    with op.batch_alter_table('digest_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_outbox_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_digest_outbox_job_run_id'), ['job_run_id'], unique=False)
        batch_op.create_index('ix_digest_outbox_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('digest_markers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('covered_until', sa.DateTime(), nullable=False),
    sa.Column('digest_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_markers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_digest_markers'))
    )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_frequency', _enum('digest_frequency', 'daily', 'weekly', 'none'),
                                      server_default='daily', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_digest_frequency'), type_='check')
        batch_op.drop_column('digest_frequency')

    op.drop_table('digest_markers')
    with op.batch_alter_table('digest_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_outbox_due')
        batch_op.drop_index(batch_op.f('ix_digest_outbox_job_run_id'))
        batch_op.drop_index(batch_op.f('ix_digest_outbox_recipient_id'))

    op.drop_table('digest_outbox')
    op.drop_table('job_runs')
