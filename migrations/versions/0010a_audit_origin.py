"""audit: where an entry came from, what it is about, and the bookings it names

audit_log.client_address and user_agent keep the request's client (after the trusted proxies) and browser;
school_id and resource_id the school and resource the entry is about, so a school admin's view and the
filters need no JSON. audit_log_bookings names every booking an entry changed (a series' dates, the
requests an approval displaced), for a booking's history. No foreign keys to the things named: the
log outlives them.

Revision ID: 0010a
Revises: 0010f
Create Date: 2026-12-01 22:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010a'
down_revision = '0010f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('school_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resource_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('client_address', sa.String(length=45), server_default='', nullable=False))
        batch_op.add_column(sa.Column('user_agent', sa.String(length=300), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_audit_log_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_resource_id'), ['resource_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
    op.create_table('audit_log_bookings',
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['audit_log.id'], name=op.f('fk_audit_log_bookings_entry_id_audit_log'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entry_id', 'booking_id', name=op.f('pk_audit_log_bookings'))
    )
    with op.batch_alter_table('audit_log_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_bookings_booking_id'), ['booking_id'], unique=False)


def downgrade():
    op.drop_table('audit_log_bookings')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))
        batch_op.drop_index(batch_op.f('ix_audit_log_resource_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_school_id'))
        batch_op.drop_column('user_agent')
        batch_op.drop_column('client_address')
        batch_op.drop_column('resource_id')
        batch_op.drop_column('school_id')
