"""the county (县域): counties over districts, district coordinators, resources shared with the county

counties: the education bureau whose districts are judged together. districts.county_id: every district
belongs to one; an existing installation's districts move into one county (named after the first
district), so nothing changes for them. users.district_id: a coordinator of one district (NULL: a county
coordinator, as every coordinator without an area was before). resources.sharing gains 'county'.

Revision ID: 0010k
Revises: 0010a
Create Date: 2026-12-01 23:00:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010k'
down_revision = '0010a'
branch_labels = None
depends_on = None

OLD_SHARINGS = ('district', 'own_school')
NEW_SHARINGS = ('district', 'own_school', 'county')


def _sharing_check(values) -> str:
    return "sharing IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def upgrade():
    op.create_table(
        'counties',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_counties')),
    )
    connection = op.get_bind()
    first = connection.execute(sa.text("SELECT name FROM districts ORDER BY id LIMIT 1")).scalar()
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county_id', sa.Integer(), nullable=True))
    if first is not None:
        counties = sa.table('counties', sa.column('id', sa.Integer), sa.column('name', sa.String),
                            sa.column('created_at', sa.DateTime()))
        connection.execute(counties.insert().values(name=f"{first}所在县"[:100], created_at=datetime.now(timezone.utc).replace(tzinfo=None)))
        county_id = connection.execute(sa.text("SELECT MIN(id) FROM counties")).scalar()
        connection.execute(sa.text("UPDATE districts SET county_id = :county"), {"county": county_id})
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.alter_column('county_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_districts_county_id'), ['county_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_districts_county_id_counties'), 'counties', ['county_id'], ['id'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_district_id'), ['district_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_district_id_districts'), 'districts', ['district_id'], ['id'])
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_resources_resource_sharing'), type_='check')
        batch_op.create_check_constraint('resource_sharing', _sharing_check(NEW_SHARINGS))


def downgrade():
    op.execute("UPDATE resources SET sharing = 'district' WHERE sharing = 'county'")
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_resources_resource_sharing'), type_='check')
        batch_op.create_check_constraint('resource_sharing', _sharing_check(OLD_SHARINGS))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_district_id_districts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_district_id'))
        batch_op.drop_column('district_id')
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_districts_county_id_counties'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_districts_county_id'))
        batch_op.drop_column('county_id')
    op.drop_table('counties')
