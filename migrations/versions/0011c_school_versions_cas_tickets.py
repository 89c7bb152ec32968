"""schools carry a version counter (compare-and-set of the API's changes); CAS service tickets per session

schools.version: bumped by every UPDATE of a school (SQLAlchemy's version counter), named by the API's
PUT /schools/{id}, …/bells and …/active so a change made from a stale read changes nothing.
sso_cas_tickets: the service ticket each CAS sign-in came with, hashed, so the CAS server's back-channel
logoutRequest (single sign-out) can end that person's sessions.

Revision ID: 0011c
Revises: 0010k
Create Date: 2026-12-02 03:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011c'
down_revision = '0010k'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.create_table('sso_cas_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sso_cas_tickets_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_cas_tickets')),
    sa.UniqueConstraint('ticket_hash', name=op.f('uq_sso_cas_tickets_ticket_hash'))
    )
    with op.batch_alter_table('sso_cas_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_cas_tickets_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sso_cas_tickets_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sso_cas_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_cas_tickets_created_at'))
        batch_op.drop_index(batch_op.f('ix_sso_cas_tickets_user_id'))
    op.drop_table('sso_cas_tickets')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('version')
