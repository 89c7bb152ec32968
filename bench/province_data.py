"""The province-sized databases of bench/province_bench.py, built with set-based SQL through the real schema.

Not run on its own. ``Shape`` says how big (``--scale`` multiplies the province: 50 districts, 1,500 schools,
10,000 resources, 10,000,000 bookings); ``build`` fills a database migrated by Alembic (copied from a migrated
template with CREATE DATABASE … TEMPLATE, so the schema is migrated once per run):

- a county of ``districts`` districts, ``schools`` schools in contiguous blocks per district (every fifth a
  junior school, six bell periods each), one teacher per school, ``resources`` rooms in contiguous blocks per
  school (no opening hours: always open; shared with the district), the terms (20 weeks each, back to back);
- the bookings: resource i's k-th booking takes the (2k + i % 2)-th bell period counted over weekdays from the
  first Monday (47 weeks before this one), so every room is booked on every other period for
  2 × bookings / resources periods, about 67 weeks at full size; half the classes are the owner school's, half
  another school's of the same district; 1 in 20 cancelled, pending or rejected; outcomes on past ones.
  No two blocking bookings of a resource overlap, so the exclusion constraint holds when it is added back.

The one-district database is the same formulas with one district's share of everything, so it holds exactly
the province's first district: the 1.2× comparison is like with like.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import psycopg

PROVINCE = {"districts": 50, "schools": 1500, "resources": 10_000, "bookings": 10_000_000}
WEEKS_BACK = 47  # the first Monday of the data, before this week's
TERM_WEEKS = 20
BELLS = (480, 530, 590, 640, 840, 890)  # local minutes after midnight: tests.factories.DEFAULT_BELLS
LESSON_MINUTES = 40
UTC_OFFSET_HOURS = 8  # Asia/Shanghai
CATEGORIES = ("lab", "gym", "music_room", "art_room", "computer_room", "library", "multimedia_room")
PASSWORD = "bench-pass-123"


@dataclass(frozen=True)
class Shape:
    districts: int
    schools: int
    resources: int
    bookings: int

    @classmethod
    def scaled(cls, scale: float) -> "Shape":
        districts = max(2, round(PROVINCE["districts"] * scale))
        schools = max(2 * districts, round(PROVINCE["schools"] * scale))
        resources = max(schools, round(PROVINCE["resources"] * scale))
        return cls(districts, schools, resources, max(resources, round(PROVINCE["bookings"] * scale)))

    def one_district(self) -> "Shape":
        """The province's first district alone (its schools, resources and bookings)."""
        schools = -(-self.schools // self.districts)
        resources = sum(1 for i in range(self.resources) if i * self.schools // self.resources < schools)
        return Shape(1, schools, resources, self.bookings // self.resources * resources)

    @property
    def per_resource(self) -> int:
        return self.bookings // self.resources


@dataclass
class Built:
    """What the measurements need: ids of the first district and of its first school, the term, the users."""

    shape: Shape
    seconds: float
    bookings: int
    first_monday: date
    term: tuple[date, date]
    school_id: int
    district_id: int
    resource_ids: list[int]  # the first district's, in id order (rank i = index)
    teacher_id: int
    teacher_email: str
    head_email: str
    county_email: str


def first_monday(today: date) -> date:
    return today - timedelta(days=today.weekday(), weeks=WEEKS_BACK)


def slot_start(monday: date, n: int) -> datetime:
    """The local start of the n-th bell period counted over weekdays from ``monday`` (as the SQL below)."""
    day = n // len(BELLS)
    return datetime.combine(monday + timedelta(days=day // 5 * 7 + day % 5), datetime.min.time()) \
        + timedelta(minutes=BELLS[n % len(BELLS)])


def _clone(conn, table, template_id: int, count: int, values: dict[str, str], params: dict) -> list[int]:
    """``count`` copies of row ``template_id`` of ``table`` (a SQLAlchemy Table), each column in ``values``
    computed from the copy's number n (1 … count) instead; the new ids in order."""
    kept = [column.name for column in table.columns if column.name != "id" and column.name not in values]
    names = ", ".join([*values, *kept])
    copied = ", ".join([*values.values(), *kept])
    rows = conn.execute(f"INSERT INTO {table.name} ({names}) SELECT {copied} FROM {table.name},"
                        f" generate_series(1, %(count)s) AS n WHERE id = %(template)s ORDER BY n RETURNING id",
                        {**params, "count": count, "template": template_id}).fetchall()
    return sorted(row[0] for row in rows)


def _templates(app, today: date) -> dict:
    """One row of each kind through the app's own factories (every column as the app writes it)."""
    from booking.accounts.models import Role
    from booking.extensions import db
    from tests import factories

    with app.app_context():
        district = factories.district(name="第1学区")
        school = factories.school(code="P00000", name="第1学区第1小学", enrollment=600, district_id=district.id)
        teacher = factories.user(school=school, password=PASSWORD, email="teacher0@province.bench")
        head = factories.user(role=Role.COORDINATOR, password=PASSWORD, district_id=district.id,
                              email="head@province.bench", display_name="学区长")
        county = factories.user(role=Role.COORDINATOR, password=PASSWORD, email="county@province.bench",
                                display_name="县教育局")
        room = factories.resource(owner_school=school, hours=False, capacity=None, name="功能室0")
        monday = first_monday(today)
        for number in range(8):  # 160 weeks: past the data
            start = monday + timedelta(weeks=number * TERM_WEEKS)
            factories.term(name=f"第{number + 1}学期", start_date=start,
                           end_date=start + timedelta(weeks=TERM_WEEKS, days=-1), district_id=district.id)
        assert (head.email, county.email) == ("head@province.bench", "county@province.bench")
        ids = {"district": district.id, "school": school.id, "teacher": teacher.id, "resource": room.id}
        db.session.remove()
    return ids


def _directory(conn, shape: Shape, ids: dict) -> tuple[list[int], list[int]]:
    """The districts, schools (with bells), teachers and resources, copied from the templates."""
    from booking.accounts.models import User
    from booking.resources.models import Resource
    from booking.schools.models import District, School

    districts = [ids["district"]] + _clone(conn, District.__table__, ids["district"], shape.districts - 1,
                                           {"name": "'第' || (n + 1) || '学区'"}, {})
    school_values = {
        "district_id": "(%(districts)s::int[])[1 + n * %(d)s / %(s)s]",
        "code": "'P' || lpad(n::text, 5, '0')",
        "name": "'第' || (1 + n * %(d)s / %(s)s) || '学区第' || (n + 1) || '校'",
        "stage": "CASE WHEN n %% 5 = 4 THEN 'junior' ELSE 'primary' END",
        "enrollment": "100 + (n * 37) %% 1400", "is_weak": "n %% 3 = 1"}
    schools = [ids["school"]] + _clone(conn, School.__table__, ids["school"], shape.schools - 1, school_values,
                                       {"districts": districts, "d": shape.districts, "s": shape.schools})
    conn.execute("INSERT INTO bell_periods (school_id, number, start_time, end_time) SELECT s, b.number,"
                 " b.start_time, b.end_time FROM unnest(%(schools)s::int[]) s, bell_periods b"
                 " WHERE b.school_id = %(template)s AND s <> %(template)s", {"schools": schools,
                                                                            "template": ids["school"]})
    _clone(conn, User.__table__, ids["teacher"], shape.schools - 1,
           {"school_id": "(%(schools)s::int[])[1 + n]", "email": "'teacher' || n || '@province.bench'"},
           {"schools": schools})
    resource_values = {"owner_school_id": "(%(schools)s::int[])[1 + n * %(s)s / %(r)s]",
                       "name": "'功能室' || n", "category": f"(%(categories)s::text[])[1 + n %% {len(CATEGORIES)}]"}
    resources = [ids["resource"]] + _clone(conn, Resource.__table__, ids["resource"], shape.resources - 1,
                                           resource_values, {"schools": schools, "s": shape.schools,
                                                             "r": shape.resources, "categories": list(CATEGORIES)})
    return districts, resources


BOOKINGS = """
INSERT INTO bookings (resource_id, booked_by_id, school_id, starts_at, ends_at, status, blocks, quantity, title,
                      class_name, students, is_exception, cancel_reason, decision_reason, created_at, updated_at,
                      sequence, outcome, outcome_note)
SELECT resource_id, t.id, b.id, st, st + interval '{lesson} minutes',
       CASE h % 20 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'pending' WHEN 2 THEN 'rejected' ELSE 'confirmed' END,
       h % 20 > 2, 1, '实验课', (1 + h % 6) || '年级' || (1 + h % 4) || '班', 20 + h % 25, false, '', '', now(), now(),
       0, CASE WHEN h % 20 < 3 OR st >= now() AT TIME ZONE 'UTC' THEN NULL WHEN h % 10 = 7 THEN 'no_show'
               WHEN h % 10 < 7 THEN 'used' END, ''
FROM (
  SELECT r.resource_id, k + r.rank AS h, r.district_id,
         CASE WHEN k % 2 = 0 OR r.n = 1 THEN r.pos ELSE (r.pos + 1 + (k / 2) % (r.n - 1)) % r.n END AS booker_pos,
         timestamp '{monday}' - interval '{offset} hours'
           + ((2 * k + r.rank % 2) / {bells} / 5 * 7 + (2 * k + r.rank % 2) / {bells} % 5) * interval '1 day'
           + (ARRAY{starts})[(2 * k + r.rank % 2) % {bells} + 1] * interval '1 minute' AS st
  FROM ranked r, generate_series(0, {per_resource} - 1) AS k
) AS rows
JOIN positions b ON b.district_id = rows.district_id AND b.pos = rows.booker_pos
JOIN users t ON t.school_id = b.id AND t.role = 'teacher'
"""
RANKED = """
CREATE TEMP TABLE positions AS SELECT id, district_id, (row_number() OVER (PARTITION BY district_id ORDER BY id)) - 1
    AS pos, count(*) OVER (PARTITION BY district_id) AS n FROM schools;
CREATE TEMP TABLE ranked AS SELECT r.id AS resource_id, (row_number() OVER (ORDER BY r.id)) - 1 AS rank,
    p.district_id, p.pos, p.n FROM resources r JOIN positions p ON p.id = r.owner_school_id;
ANALYZE positions; ANALYZE ranked
"""


def _bookings(conn, shape: Shape, monday: date) -> None:
    """The bookings in one INSERT … SELECT, the table's indexes and exclusion constraint dropped for it and
    built once after (far quicker than row by row; adding the constraint checks every row), FK triggers off."""
    indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'bookings' AND indexname"
                           " NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'bookings'::regclass)"
                           ).fetchall()
    constraints = conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                               " WHERE conrelid = 'bookings'::regclass AND contype = 'x'").fetchall()
    for name, _ in constraints:
        conn.execute(f'ALTER TABLE bookings DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for statement in RANKED.split(";"):
        conn.execute(statement)
    conn.execute("SET session_replication_role = replica")  # the rows are consistent by construction
    conn.execute(BOOKINGS.format(lesson=LESSON_MINUTES, monday=monday.isoformat(), offset=UTC_OFFSET_HOURS,
                                 bells=len(BELLS), starts=list(BELLS), per_resource=shape.per_resource))
    conn.execute("SET session_replication_role = DEFAULT")
    conn.execute("SET maintenance_work_mem = '512MB'")
    for _, definition in indexes:
        conn.execute(definition)
    for name, definition in constraints:
        conn.execute(f'ALTER TABLE bookings ADD CONSTRAINT "{name}" {definition}')


def build(app, url: str, shape: Shape, today: date) -> Built:
    from booking.extensions import db

    started = time.perf_counter()
    ids = _templates(app, today)
    with app.app_context():
        db.engine.dispose()
    with psycopg.connect(url) as conn:
        _directory(conn, shape, ids)
        _bookings(conn, shape, first_monday(today))
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        # The tables filled here (the visibility map too: the reports' index-only scans); the others are empty.
        conn.execute("VACUUM ANALYZE bookings, resources, schools, users, bell_periods, districts, terms")
    return described(url, shape, today, time.perf_counter() - started)


def described(url: str, shape: Shape, today: date, seconds: float = 0.0) -> Built:
    """What ``build`` made (or a previous run's ``--keep`` kept), read back; the bench's own bookings of a
    previous run are deleted, so its free periods are free again."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM bookings WHERE title IN ('http', 'raw')")
        count = conn.execute("SELECT count(*) FROM bookings").fetchone()[0]
        district, school = conn.execute("SELECT min(district_id), min(id) FROM schools").fetchone()
        resources = [row[0] for row in conn.execute(
            "SELECT r.id FROM resources r JOIN schools s ON s.id = r.owner_school_id WHERE s.district_id = %s"
            " ORDER BY r.id", (district,))]
        teacher = conn.execute("SELECT id FROM users WHERE email = 'teacher0@province.bench'").fetchone()[0]
    monday = first_monday(today)
    term_start = monday + timedelta(weeks=(today - monday).days // 7 // TERM_WEEKS * TERM_WEEKS)
    return Built(shape, seconds, count, monday, (term_start, term_start + timedelta(weeks=TERM_WEEKS, days=-1)),
                 school, district, resources, teacher, "teacher0@province.bench", "head@province.bench",
                 "county@province.bench")
