"""one open allocation round a term: a partial unique index on the open rounds' term

Two open rounds of one term would take requests for the same weekly slots and then commit them against
each other. The service says so first; the index makes the database refuse the second round when two
coordinators open one at the same moment. A database that already holds two open rounds of a term is not
changed behind anyone's back: the upgrade stops and names the terms, for a coordinator to commit all but one.

Revision ID: 0012b
Revises: 0012a
Create Date: 2026-12-04 03:20:00.000000

"""
from alembic import op
from sqlalchemy import text


# revision identifiers, used by Alembic.
revision = '0012b'
down_revision = '0012a'
branch_labels = None
depends_on = None

OPEN = text("status = 'open'")


def upgrade():
    doubled = op.get_bind().execute(text(
        "SELECT term_id FROM allocation_rounds WHERE status = 'open' GROUP BY term_id HAVING COUNT(*) > 1")).scalars().all()
    if doubled:
        raise RuntimeError(f"terms {sorted(doubled)} have several open allocation rounds: commit all but one "
                           "(the allocation page) and upgrade again")
    op.create_index('uq_allocation_rounds_open_term', 'allocation_rounds', ['term_id'], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index('uq_allocation_rounds_open_term', table_name='allocation_rounds')
