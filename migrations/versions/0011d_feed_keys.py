"""feed_revisions per feed: a change counter for each resource, school and booker, so every feed's 304 is a lookup

Beside the 'district' row (migration 0010f), feed_revisions gets one row per key a booking or series row
names: 'r:<resource_id>', 's:<school_id>' (the class's school) and 'u:<booked_by_id>'. Every INSERT, UPDATE
or DELETE of bookings or booking_series raises the counters of the keys of the rows it wrote (old and new
values), and, for a row of a series, the keys of every row of that series (a feed sends a series whole, so a
change of one date is a change of every feed that shows the series). The resource, school and personal
feeds then revalidate from a few counters (booking.calendars.feeds.feed_validator) instead of scanning their
bookings. An index on bookings.ends_at lets the reports' data version (booking.reports.cache) use the district
counter and the latest end before "now" instead of an aggregate over every booking.

PostgreSQL: a statement-level trigger notes the keys of the rows each statement wrote in a setting of the
transaction; at COMMIT the deferred constraint trigger of 0010f (now ``feed_revision_bump``, rewritten here)
raises all noted keys and 'district' in one statement, in one order (so two committing transactions never
wait for each other's counters in opposite orders: no deadlock), and only then, so no counter row is locked
while a transaction runs. SQLite (one writer at a time) raises them per row.

Revision ID: 0011d
Revises: 0011w
Create Date: 2026-12-02 03:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011d'
down_revision = '0011w'
branch_labels = None
depends_on = None

# (table, the column that names the row's series)
TABLES = (('bookings', 'series_id'), ('booking_series', 'id'))
SETTING = 'district_share.feed_keys'
ACTIONS = {'insert': 'REFERENCING NEW TABLE AS new_rows',
           'update': 'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows',
           'delete': 'REFERENCING OLD TABLE AS old_rows'}

NOTE_KEYS = """
CREATE FUNCTION feed_keys_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted text := coalesce(current_setting('{setting}', true), '');
BEGIN
    -- 'S:<id>' stands for every row of series <id>: expanded at COMMIT, when all of them are written.
    IF TG_OP <> 'DELETE' THEN
        SELECT noted || ',' || coalesce(string_agg(DISTINCT k, ','), '') INTO noted FROM new_rows r,
            LATERAL (VALUES ('r:' || r.resource_id), ('s:' || r.school_id), ('u:' || r.booked_by_id),
                            ('S:' || r.{series})) AS v(k) WHERE k IS NOT NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        SELECT noted || ',' || coalesce(string_agg(DISTINCT k, ','), '') INTO noted FROM old_rows r,
            LATERAL (VALUES ('r:' || r.resource_id), ('s:' || r.school_id), ('u:' || r.booked_by_id),
                            ('S:' || r.{series})) AS v(k) WHERE k IS NOT NULL;
    END IF;
    IF length(noted) > 4096 THEN  -- a long transaction: keep each key once
        SELECT string_agg(DISTINCT k, ',') INTO noted FROM unnest(string_to_array(noted, ',')) AS k WHERE k <> '';
    END IF;
    PERFORM set_config('{setting}', noted, true);
    RETURN NULL;
END
$$"""

BUMP_KEYS = """
CREATE OR REPLACE FUNCTION feed_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    noted text := current_setting('{setting}', true);
BEGIN
    -- The first row's trigger at COMMIT raises every noted key; the others find nothing noted.
    IF noted IS NULL OR noted = '' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('{setting}', '', true);
    IF position('S:' IN noted) = 0 THEN  -- no series: the keys as noted
        INSERT INTO feed_revisions (scope, counter)
        SELECT k, 1 FROM (SELECT k FROM unnest(string_to_array(noted, ',')) AS k WHERE k <> ''
                          UNION SELECT 'district') AS wanted ORDER BY k COLLATE "C"
        ON CONFLICT (scope) DO UPDATE SET counter = feed_revisions.counter + 1;
        RETURN NULL;
    END IF;
    WITH listed AS (SELECT DISTINCT k FROM unnest(string_to_array(noted, ',')) AS k WHERE k <> ''),
    series AS (SELECT substr(k, 3)::integer AS id FROM listed WHERE k LIKE 'S:%'),
    series_rows AS (SELECT resource_id, school_id, booked_by_id FROM bookings WHERE series_id IN (SELECT id FROM series)
             UNION SELECT resource_id, school_id, booked_by_id FROM booking_series WHERE id IN (SELECT id FROM series)),
    wanted AS (SELECT k FROM listed WHERE k NOT LIKE 'S:%'
               UNION SELECT 'district'
               UNION SELECT unnest(ARRAY['r:' || resource_id, 's:' || school_id, 'u:' || booked_by_id])
               FROM series_rows)
    INSERT INTO feed_revisions (scope, counter)
    SELECT k, 1 FROM wanted WHERE k IS NOT NULL ORDER BY k COLLATE "C"
    ON CONFLICT (scope) DO UPDATE SET counter = feed_revisions.counter + 1;
    RETURN NULL;
END
$$"""

def _old_bump() -> str:
    """0010f's ``feed_revision_bump`` (the district counter alone), to put back on the way down."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("feed_revisions_0010f",
                                                  Path(__file__).with_name("0010f_feed_revisions.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.POSTGRESQL_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _sqlite_keys(row: str, series: str) -> str:
    """The keys of one row (``NEW`` or ``OLD``) and of every row of its series, as one SELECT of ``k``."""
    parts = [f"SELECT 'r:' || {row}.resource_id AS k", f"SELECT 's:' || {row}.school_id",
             f"SELECT 'u:' || {row}.booked_by_id"]
    for table in ('bookings', 'booking_series'):
        match = 'series_id' if table == 'bookings' else 'id'
        parts += [f"SELECT '{prefix}' || {column} FROM {table} WHERE {match} = {row}.{series}"
                  for prefix, column in (('r:', 'resource_id'), ('s:', 'school_id'), ('u:', 'booked_by_id'))]
    return " UNION ".join(parts)


def _sqlite_trigger(table: str, series: str, action: str) -> str:
    rows = {'insert': ('NEW',), 'update': ('OLD', 'NEW'), 'delete': ('OLD',)}[action]
    keys = " UNION ".join(_sqlite_keys(row, series) for row in rows)
    return (f"CREATE TRIGGER feed_keys_{table}_{action} AFTER {action.upper()} ON {table} BEGIN "
            f"INSERT INTO feed_revisions (scope, counter) SELECT k, 1 FROM ({keys}) WHERE k IS NOT NULL "
            f"ON CONFLICT (scope) DO UPDATE SET counter = counter + 1; END")


def upgrade():
    # The reports' data version reads the latest end before "now" here (booking.reports.cache).
    op.create_index('ix_bookings_ends_at', 'bookings', ['ends_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        for table, series in TABLES:
            op.execute(NOTE_KEYS.format(table=table, series=series, setting=SETTING))
            for action, transition in ACTIONS.items():
                op.execute(f"CREATE TRIGGER feed_keys_{table}_{action} AFTER {action.upper()} ON {table} "
                           f"{transition} FOR EACH STATEMENT EXECUTE FUNCTION feed_keys_{table}()")
        op.execute(BUMP_KEYS.format(setting=SETTING))
        return
    for table, series in TABLES:
        for action in ACTIONS:
            op.execute(_sqlite_trigger(table, series, action))


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table, _series in TABLES:
        for action in ACTIONS:
            op.execute(f"DROP TRIGGER feed_keys_{table}_{action}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION feed_keys_{table}()")
    if postgresql:
        op.execute(_old_bump())
    op.execute("DELETE FROM feed_revisions WHERE scope <> 'district'")
    op.drop_index('ix_bookings_ends_at', table_name='bookings')
