"""User CSV import benchmark: a file of 5,000 teachers (the most the form takes) as a background job. Prints rows/s.

    .venv/bin/python bench/import_bench.py                       # a temporary SQLite file
    .venv/bin/python bench/import_bench.py --server postgresql://postgres@127.0.0.1/postgres
    .venv/bin/python bench/import_bench.py --rows 1300

Every row has a blank password, so each gets a generated initial password (the usual case). Printed:
the whole job (queued, claimed, checked with the accounts and schools loaded in one query each rather
than two queries a row, hashed once per password, inserted in one transaction), the hashing alone, the
rest, and for comparison what hashing the same passwords at the full cost of a chosen password would
take (measured on 50, scaled up), which is what made a 1,300-row import outlast gunicorn's 120 s timeout.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.databases import throwaway_database  # noqa: E402
from booking import create_app  # noqa: E402
from booking.accounts.models import Role, User  # noqa: E402
from booking.accounts.passwords import hash_password  # noqa: E402
from booking.accounts.services import hash_initial_passwords, new_initial_password  # noqa: E402
from booking.extensions import db  # noqa: E402
from booking.imports import users as user_import  # noqa: E402
from booking.imports.jobs import run_job, submit_import  # noqa: E402
from booking.imports.models import ImportJob, ImportStatus  # noqa: E402
from booking.schools.models import District, School, Stage  # noqa: E402

SCHOOLS = 24


def seed() -> User:
    district = District(name="新天学区")
    db.session.add(district)
    db.session.flush()
    for n in range(SCHOOLS):
        db.session.add(School(district_id=district.id, code=f"XT{n:02d}", name=f"学校{n}", stage=Stage.PRIMARY,
                              enrollment=200, area="上片"))
    coordinator = User(email="coordinator@example.cn", display_name="学区长", role=Role.COORDINATOR,
                       password_hash=hash_password("bench-pass"))
    db.session.add(coordinator)
    db.session.commit()
    return coordinator


def users_file(rows: int) -> bytes:
    lines = [f"teacher{n}@example.cn,老师{n},teacher,XT{n % SCHOOLS:02d}," for n in range(rows)]
    return ("email,display_name,role,school_code,password\n" + "\n".join(lines) + "\n").encode()


def run(url: str, rows: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()
        coordinator = seed()
        with app.test_request_context("/"):
            started = time.perf_counter()
            job, _created = submit_import(user_import.KIND, users_file(rows), "users.csv", coordinator, rows)
            db.session.commit()
            status = run_job(job.id, "bench", {user_import.KIND.key: user_import.KIND})
            whole = time.perf_counter() - started
        assert status == ImportStatus.DONE, (status, db.session.get(ImportJob, job.id).message)
        imported = db.session.scalar(select(func.count()).select_from(User).where(User.must_change_password))
        assert imported == rows, imported
        with app.test_request_context("/"):
            again, created = submit_import(user_import.KIND, users_file(rows), "users.csv", coordinator, rows)
        assert again.id == job.id and not created  # the same file twice: one import
        passwords = [new_initial_password() for _ in range(rows)]
        started = time.perf_counter()
        hash_initial_passwords(passwords)
        hashing = time.perf_counter() - started
        sample = 50
        started = time.perf_counter()
        for password in passwords[:sample]:
            hash_password(password)
        full_cost = (time.perf_counter() - started) / sample * rows
        print(f"{db.engine.dialect.name}: {rows} users imported by one background job, one transaction")
        print(f"whole job (queue, check, hash, insert)  {whole:7.1f} s   {rows / whole:8.0f} rows/s")
        print(f"initial-password hashing alone          {hashing:7.1f} s   {rows / hashing:8.0f} rows/s")
        print(f"everything but hashing                  {whole - hashing:7.1f} s   {rows / max(whole - hashing, 1e-9):8.0f} rows/s")
        print(f"full-cost hashing (scaled)              {full_cost:7.1f} s   {rows / full_cost:8.0f} rows/s")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--server", help="a PostgreSQL server URL; a database is created there and dropped")
    args = parser.parse_args()
    if not args.server:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/import_bench.db", args.rows)
        return
    from booking.config import normalise_database_url

    with throwaway_database(normalise_database_url(args.server), "import_bench") as url:
        run(url, args.rows)


if __name__ == "__main__":
    main()
