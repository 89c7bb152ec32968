"""closures of one district: closures.district_id says which district a closure of no school closes

Until now a closure of no one school closed every school of the installation, whatever its district_id (the
first district's, written for every closure). In a county of several districts a district coordinator (学区长)
could not close their district for its sports meet without closing the county. Now a closure of no school
closes the schools of ``district_id``, and one with neither (a national holiday) the whole county. The
upgrade keeps what every stored closure closes: those of no school become county-wide (district_id NULL),
those of one school take that school's district.

Revision ID: 0013a
Revises: 0012b
Create Date: 2026-12-04 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import text


# revision identifiers, used by Alembic.
revision = '0013a'
down_revision = '0012b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=True)
    op.execute(text("UPDATE closures SET district_id = NULL WHERE school_id IS NULL"))
    op.execute(text("UPDATE closures SET district_id = (SELECT schools.district_id FROM schools "
                    "WHERE schools.id = closures.school_id) WHERE school_id IS NOT NULL"))


def downgrade():
    # Before this revision a closure of no school closed the installation: a district's closure would
    # close every district, so it cannot go back silently.
    districts = op.get_bind().execute(text(
        "SELECT COUNT(*) FROM closures WHERE school_id IS NULL AND district_id IS NOT NULL")).scalar()
    if districts:
        raise RuntimeError(f"{districts} closures close one district: delete them (or make them one school's) "
                           "before downgrading")
    op.execute(text("UPDATE closures SET district_id = (SELECT MIN(id) FROM districts) WHERE district_id IS NULL"))
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=False)
