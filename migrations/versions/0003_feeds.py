"""feeds: calendar subscription tokens, serialised event cache, imported term UIDs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('user', 'resource', 'school', 'teacher', 'district', name='feed_scope', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_feed_tokens_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feed_tokens_token_hash'))
    )
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_feed_tokens_owner_scope', ['owner_id', 'scope', 'target_id'], unique=False)

    op.create_table('feed_event_cache',
    sa.Column('entity', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('detail', sa.String(length=16), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('block', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('entity', 'entity_id', 'detail', name=op.f('pk_feed_event_cache'))
    )

    op.create_table('term_sources',
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('source_uid', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_term_sources_term_id_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('term_id', name=op.f('pk_term_sources')),
    sa.UniqueConstraint('source_uid', name=op.f('uq_term_sources_source_uid'))
    )


def downgrade():
    op.drop_table('term_sources')
    op.drop_table('feed_event_cache')
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_tokens_owner_scope')

    op.drop_table('feed_tokens')
