"""feed_revisions: the district's change counter, so the district feed revalidates without reading bookings

One row ('district') whose counter the database itself raises at every INSERT, UPDATE or DELETE of
bookings and booking_series, whoever writes them (services, imports, plain SQL). On PostgreSQL a
deferred constraint trigger raises it once per transaction at COMMIT, so the row is locked only while
a transaction commits (never while it runs: no writer waits for another, and no lock order to
deadlock on); SQLite has one writer at a time anyway and raises it per row. Indexes on
bookings.updated_at and booking_series.updated_at give the feed's Last-Modified by an index lookup;
one on bookings (starts_at, id) lets the district feed read its window in start order, a page at a time.

Revision ID: 0010f
Revises: 0010s
Create Date: 2026-12-01 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010f'
down_revision = '0010s'
branch_labels = None
depends_on = None

TABLES = ('bookings', 'booking_series')
BUMP = ("INSERT INTO feed_revisions (scope, counter) VALUES ('district', 1) "
        "ON CONFLICT (scope) DO UPDATE SET counter = feed_revisions.counter + 1")
POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION feed_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction: the first row's trigger raises the counter, the others see the mark.
    IF current_setting('district_share.feed_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        {BUMP};
        PERFORM set_config('district_share.feed_bumped', txid_current()::text, true);
    END IF;
    RETURN NULL;
END
$$"""


def upgrade():
    op.create_table('feed_revisions',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('counter', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_feed_revisions'))
    )
    op.execute("INSERT INTO feed_revisions (scope, counter) VALUES ('district', 0)")
    op.create_index('ix_bookings_updated_at', 'bookings', ['updated_at'], unique=False)
    op.create_index('ix_booking_series_updated_at', 'booking_series', ['updated_at'], unique=False)
    op.create_index('ix_bookings_start_id', 'bookings', ['starts_at', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            op.execute(f"CREATE CONSTRAINT TRIGGER feed_revision_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feed_revision_bump()")
        return
    for table in TABLES:
        for action in ('INSERT', 'UPDATE', 'DELETE'):
            op.execute(f"CREATE TRIGGER feed_revision_{table}_{action.lower()} AFTER {action} ON {table} "
                       f"BEGIN {BUMP}; END")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f"DROP TRIGGER feed_revision_{table} ON {table}")
        op.execute("DROP FUNCTION feed_revision_bump()")
    else:
        for table in TABLES:
            for action in ('insert', 'update', 'delete'):
                op.execute(f"DROP TRIGGER feed_revision_{table}_{action}")
    op.drop_index('ix_bookings_start_id', table_name='bookings')
    op.drop_index('ix_booking_series_updated_at', table_name='booking_series')
    op.drop_index('ix_bookings_updated_at', table_name='bookings')
    op.drop_table('feed_revisions')
