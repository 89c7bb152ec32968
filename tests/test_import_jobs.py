"""CSV imports as background jobs: the same file twice imports once (a second click, two at once),
a job is claimed by one worker only, progress and status as JSON, the scheduler runs what nobody
started, and the generated passwords stay downloadable (once) after a second submission."""
from __future__ import annotations

import io
import json
import threading

import pytest

from booking.accounts.models import Role, User
from booking.accounts.passwords import verify_password
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.imports import users as user_import
from booking.imports.jobs import claim_job, derive_password, run_job, run_waiting, submit_import, wait_for_workers
from booking.imports.kinds import KINDS
from booking.imports.models import ImportJob, ImportStatus
from tests import factories
from tests.conftest import login

FILE = ("email,display_name,role,school_code,password\n"
        + "".join(f"t{n}@example.cn,老师{n},teacher,XT01,\n" for n in range(12))).encode()


@pytest.fixture
def coordinator(app, login_as):
    factories.school(code="XT01")
    user = factories.user(role=Role.COORDINATOR, locale="en")
    login_as(user)
    return user


def post(client, data: bytes = FILE):
    return client.post("/admin/import/users", data={"file": (io.BytesIO(data), "teachers.csv")},
                       content_type="multipart/form-data")


def imported_users() -> int:
    db.session.expire_all()
    return db.session.query(User).filter(User.email.like("t%@example.cn")).count()


def test_the_same_file_sent_twice_imports_once_and_the_passwords_stay_offered(client, coordinator):
    first = post(client)
    second = post(client)  # the second click, before or after the first finished: never a 500
    wait_for_workers()
    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.query(ImportJob).count() == 1 and imported_users() == 12
    third = post(client)  # after it finished
    assert third.status_code == 303 and third.headers["Location"] == first.headers["Location"]
    page = client.get(third.headers["Location"]).get_data(as_text=True)
    assert "12 rows imported." in page and "nothing was imported twice" in page and 'id="passwords-download"' in page
    job = db.session.query(ImportJob).one()
    rows = client.post(f"/admin/import/jobs/{job.id}/passwords.csv").data.decode("utf-8-sig").splitlines()[1:]
    assert len(rows) == 12
    email, _name, password = rows[0].split(",")
    assert verify_password(db.session.query(User).filter_by(email=email).one().password_hash, password)
    assert db.session.query(AuditEntry).filter_by(action="import.users").count() == 1


def test_two_submissions_at_the_same_moment_make_one_job(app, coordinator):
    """Two browsers of the same coordinator post the file at once: one job, one import, two 303s."""
    clients = [app.test_client() for _ in range(2)]
    for other in clients:
        assert login(other, coordinator, "secret-pass").status_code == 302
    db.session.commit()
    barrier, answers = threading.Barrier(2), []

    def send(other):
        with app.app_context():  # each browser's request in a context (and database session) of its own
            barrier.wait()
            answers.append(post(other))

    threads = [threading.Thread(target=send, args=(other,)) for other in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_for_workers()
    assert sorted(a.status_code for a in answers) == [303, 303]
    assert len({a.headers["Location"] for a in answers}) == 1
    assert db.session.query(ImportJob).count() == 1 and imported_users() == 12


def test_a_job_is_claimed_by_one_worker_and_a_lost_claim_writes_nothing(app, coordinator):
    app.config["IMPORT_WORKER_THREAD"] = False
    with app.test_request_context("/"):
        job, created = submit_import(user_import.KIND, FILE, "teachers.csv", coordinator, 100)
    db.session.commit()
    assert created and job.status == ImportStatus.QUEUED and job.steps_total == 24
    assert claim_job(job.id, "first") and not claim_job(job.id, "second")
    # The scheduler decides the first worker vanished and hands the job to another: the first one's
    # rows, if it ever gets that far, are rolled back by its compare-and-set on the claim.
    db.session.query(ImportJob).filter_by(id=job.id).update({"claimed_by": "second"})
    db.session.commit()
    from booking.imports.jobs import run_claimed

    assert run_claimed(job.id, "first", KINDS) == ImportStatus.RUNNING
    assert imported_users() == 0
    assert run_claimed(job.id, "second", KINDS) == ImportStatus.DONE and imported_users() == 12


def test_the_scheduler_runs_queued_jobs_once(client, app, coordinator):
    app.config["IMPORT_WORKER_THREAD"] = False
    location = post(client).headers["Location"]
    status = client.get(location + "/status").get_json()
    assert status == {"id": status["id"], "status": "queued", "percent": 0, "steps_done": 0, "steps_total": 24,
                      "imported": 0, "errors": 0, "finished": False}
    page = client.get(location).get_data(as_text=True)
    assert "<progress" in page and "js/import-progress.js" in page and "<script>" not in page
    assert run_waiting("scheduler", KINDS) == 1 and run_waiting("scheduler", KINDS) == 0
    assert imported_users() == 12
    done = client.get(location + "/status").get_json()
    assert (done["status"], done["percent"], done["imported"], done["finished"]) == ("done", 100, 12, True)


def test_a_file_with_bad_rows_imports_nothing_and_may_be_sent_again(client, app, coordinator):
    bad = FILE + b"t99@example.cn,X,teacher,NOPE,\n"
    location = post(client, bad).headers["Location"]
    wait_for_workers()
    page = client.get(location).get_data(as_text=True)
    assert "Nothing was imported" in page and "NOPE" in page and imported_users() == 0
    job = db.session.query(ImportJob).one()
    assert json.loads(job.errors_json)[0]["column"] == "school_code" and job.dedupe_key is None and job.data is None
    factories.school(code="NOPE")
    again = post(client, bad)
    wait_for_workers()
    assert again.headers["Location"] != location and imported_users() == 13


def test_only_the_uploader_sees_a_job_and_its_passwords(client, app, coordinator):
    location = post(client).headers["Location"]
    wait_for_workers()
    job = db.session.query(ImportJob).one()
    client.post("/logout")
    other = factories.user(role=Role.COORDINATOR)
    assert login(client, other, "secret-pass").status_code == 302
    assert client.get(location).status_code == 404
    assert client.get(location + "/status").status_code == 404
    assert client.post(f"/admin/import/jobs/{job.id}/passwords.csv").status_code == 404
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).password_seed is not None  # still the uploader's to download


def test_derived_passwords_depend_on_the_secret_the_seed_and_the_email():
    first = derive_password("key", "seed", "a@example.cn")
    assert len(first) == 10 and first == derive_password("key", "seed", "a@example.cn")
    assert len({first, derive_password("key2", "seed", "a@example.cn"), derive_password("key", "seed2", "a@example.cn"),
                derive_password("key", "seed", "b@example.cn")}) == 4


def test_run_job_of_an_unknown_or_finished_job_does_nothing(app, coordinator):
    with app.test_request_context("/"):
        job, _ = submit_import(user_import.KIND, FILE, "teachers.csv", coordinator, 100)
    db.session.commit()
    assert run_job(job.id, "w", KINDS) == ImportStatus.DONE
    assert run_job(job.id, "w", KINDS) is None and imported_users() == 12


def test_text_no_column_can_hold_is_named_on_the_jobs_page(client, coordinator):
    location = post(client, b"email,display_name,role,school_code\nlong@example.cn," + "名".encode() * 500
                    + b",teacher,XT01\n").headers["Location"]
    wait_for_workers()
    page = client.get(location).get_data(as_text=True)
    assert "Nothing was imported." in page and "display_name:" in page and imported_users() == 0
