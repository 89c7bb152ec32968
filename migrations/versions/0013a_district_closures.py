"""closures and make-up days of one district: district_id says which district a row of no school is for

Until now a closure (or a make-up day) of no one school closed (or was taught by) every school of the
installation, whatever its district_id (the first district's, written for every row). In a county of several
districts a district coordinator (学区长) could not close their district for its sports meet, nor make the day up
on a Saturday, without doing it for the county. Now a row of no school is for the schools of ``district_id``,
and one with neither (a national holiday, its 补班) for the whole county. The upgrade keeps what every stored row
does: those of no school become the county's (district_id NULL), those of one school take that school's district.

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

PLACED = ("closures", "makeup_days")


def upgrade():
    for table in PLACED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=True)
        op.execute(text(f"UPDATE {table} SET district_id = NULL WHERE school_id IS NULL"))
        op.execute(text(f"UPDATE {table} SET district_id = (SELECT schools.district_id FROM schools "
                        f"WHERE schools.id = {table}.school_id) WHERE school_id IS NOT NULL"))


def downgrade():
    # Before this revision a row of no school was the installation's: a district's would reach every district,
    # so it cannot go back silently.
    bind = op.get_bind()
    for table in PLACED:
        districts = bind.execute(text(
            f"SELECT COUNT(*) FROM {table} WHERE school_id IS NULL AND district_id IS NOT NULL")).scalar()
        if districts:
            raise RuntimeError(f"{districts} rows of {table} are one district's: delete them (or make them one "
                               "school's) before downgrading")
    for table in PLACED:
        op.execute(text(f"UPDATE {table} SET district_id = (SELECT MIN(id) FROM districts) WHERE district_id IS NULL"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=False)
