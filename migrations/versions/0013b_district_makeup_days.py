"""make-up days of one district: makeup_days.district_id says which district one of no school is for

As closures in 0013a: a make-up day of no school was taught by every school of the installation whatever its
district_id (the first district's, written for every row), so a district that closes on a Friday for its sports
meet could not make the day up on a Saturday for its own schools. Now one of no school is taught by the schools
of ``district_id``, and one with neither by the whole county. The upgrade keeps what every stored make-up day
does: those of no school become the county's (district_id NULL), those of one school take that school's district.

Revision ID: 0013b
Revises: 0013a
Create Date: 2026-12-04 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import text


# revision identifiers, used by Alembic.
revision = '0013b'
down_revision = '0013a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('makeup_days', schema=None) as batch_op:
        batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=True)
    op.execute(text("UPDATE makeup_days SET district_id = NULL WHERE school_id IS NULL"))
    op.execute(text("UPDATE makeup_days SET district_id = (SELECT schools.district_id FROM schools "
                    "WHERE schools.id = makeup_days.school_id) WHERE school_id IS NOT NULL"))


def downgrade():
    # Before this revision a make-up day of no school was the installation's: a district's would be taught
    # by every district, so it cannot go back silently.
    districts = op.get_bind().execute(text(
        "SELECT COUNT(*) FROM makeup_days WHERE school_id IS NULL AND district_id IS NOT NULL")).scalar()
    if districts:
        raise RuntimeError(f"{districts} make-up days are one district's: delete them (or make them one school's) "
                           "before downgrading")
    op.execute(text("UPDATE makeup_days SET district_id = (SELECT MIN(id) FROM districts) WHERE district_id IS NULL"))
    with op.batch_alter_table('makeup_days', schema=None) as batch_op:
        batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=False)
