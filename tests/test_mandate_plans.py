"""The mandate planner on the seeded demo district: the proposal, the page, the API, committing all or nothing.

One seeded demo per module; the tests that only read come first, the commit last (it books the plan).
"""
from __future__ import annotations

import jsonschema
import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from booking.accounts.models import User
from booking.api.openapi import build_document
from booking.audit.models import AuditEntry
from booking.bookings.errors import BookingRefused
from booking.bookings.models import ACTIVE_STATUSES, Booking
from booking.bookings.services import cancel_booking
from booking.bookings.rules import Kind, Refusal
from booking.extensions import db
from booking.resources.models import Resource, ResourceKind
from booking.schools.models import Closure, School
from booking.schools.services import current_term
from booking.seed.people import DEMO_PASSWORD
from booking.teachers import mandate_plans, plan_model, planner
from booking.teachers.mandates import mandate_progress
from booking.teachers.models import TeacherProfile
from tests.api_support import bearer
from tests.demo_support import COORDINATOR


@pytest.fixture(scope="module")
def demo(seeded_demo):  # noqa: F811
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    return seeded_demo.app, coordinator, current_term()


@pytest.fixture(scope="module")
def first_proposal(demo):
    """The proposal for the seeded demo as it is (the tests before the commit leave it unchanged)."""
    _app, coordinator, term = demo
    return mandate_plans.propose(coordinator, term)


def _signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _teacher_lessons() -> int:
    return db.session.scalar(select(func.count(Booking.id)).join(Resource, Resource.id == Booking.resource_id)
                             .where(Resource.kind == ResourceKind.TEACHER, Booking.status.in_(ACTIVE_STATUSES)))


def _closed(school_id: int, day) -> bool:
    """The school's own closures, its district's and the county's (a closure of 东河学区 closes only its schools)."""
    district = db.session.get(School, school_id).district_id
    return db.session.scalar(select(func.count(Closure.id)).where(
        (Closure.school_id == school_id) | (Closure.school_id.is_(None)
                                            & (Closure.district_id.is_(None) | (Closure.district_id == district))),
        Closure.start_date <= day, Closure.end_date >= day)) > 0


def _documented(app, path: str, body, status: str = "200") -> None:
    document = build_document(app)
    schema = document["paths"][path]["post"]["responses"][status]["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**schema, "components": document["components"]},
                        cls=jsonschema.Draft202012Validator, format_checker=jsonschema.FormatChecker())


def test_the_demo_proposal_meets_every_mandate_never_two_places_or_a_closed_school(demo, first_proposal):
    _app, coordinator, term = demo
    proposal = first_proposal
    assert proposal.plan.lessons and proposal.plan.all_met and proposal.plan.shortfalls == []
    assert planner.plan_problems(proposal.data, proposal.plan.lessons) == []
    # Checked again against the database itself, not the planner's input:
    by_day = {}
    for lesson in proposal.plan.lessons:
        profile = proposal.teachers[lesson.teacher_id]
        assert not _closed(lesson.school_id, lesson.day), lesson
        assert not _closed(profile.home_school_id, lesson.day), lesson
        assert lesson.school_id in {s.id for s in profile.served} and lesson.subject in profile.subjects
        assert lesson.day > proposal.progress.today and lesson.day <= term.end_date
        by_day.setdefault((lesson.teacher_id, lesson.day), []).append(lesson)
    for lessons in by_day.values():
        assert len({lesson.school_id for lesson in lessons}) == 1  # one tied school per teacher and day
        spans = sorted((lesson.start, lesson.end) for lesson in lessons)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    coverage = mandate_plans.school_coverage(proposal)
    assert coverage and all(row.met for row in coverage)
    assert any(cell.planned for row in coverage for cell in row.cells)
    assert mandate_plans.propose(coordinator, term).digest == proposal.digest  # the same data, the same plan


def test_a_mandate_that_cannot_be_met_is_named_with_its_reason(demo, first_proposal):
    """Take from the art teacher a school the plan sends them to: nobody else teaches art there."""
    _app, coordinator, term = demo
    art = db.session.scalar(select(TeacherProfile).join(TeacherProfile.user).where(User.email == "art.xt01@demo.xq"))
    lesson = next(x for x in first_proposal.plan.lessons
                  if x.teacher_id == art.resource_id and x.lesson_kind == "demonstration")
    school = next(s for s in art.served if s.id == lesson.school_id)
    art.served.remove(school)
    db.session.flush()
    try:
        proposal = mandate_plans.propose(coordinator, term)
        short = {(s.need.school_id, s.need.key): s for s in proposal.plan.shortfalls}
        assert short[(school.id, "demonstration-art")].reason == plan_model.NO_TEACHER
        assert not proposal.plan.all_met
        row = next(r for r in mandate_plans.school_coverage(proposal) if r.school.id == school.id)
        cell = next(c for c in row.cells if c.line.key == "demonstration-art")
        assert not cell.met and str(cell.reason) == str(mandate_plans.REASON_LABELS[plan_model.NO_TEACHER])
        assert planner.plan_problems(proposal.data, proposal.plan.lessons) == []
        assert all(x.school_id != school.id for x in proposal.plan.lessons if x.teacher_id == art.resource_id)
    finally:
        db.session.rollback()


def _status_for(app, email: str, path: str) -> int:
    with app.app_context():  # its own context: Flask-Login keeps the signed-in user in the context's g
        return _signed_in(app, email).get(path).status_code


def test_the_planner_page_in_both_languages_and_only_for_district_coordinators(demo):
    app, _coordinator, term = demo
    with app.app_context():
        client = _signed_in(app, COORDINATOR)
        page = client.get(f"/teachers/mandates/plan?term={term.id}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "走教计划" in text and 'id="plan-coverage"' in text and 'name="digest"' in text
        assert "各教师行程" in text and "每所结对学校的各项任务都能完成" in text
        assert client.get("/teachers/mandates").get_data(as_text=True).count('id="open-planner"') == 1
        stale = client.post(f"/teachers/mandates/plan?term={term.id}", data={"digest": "0" * 32})
        assert stale.status_code == 409 and "计划在您查看之后有了变化" in stale.get_data(as_text=True)
        client.post("/language/en", data={"next": "/"})
        refresh()  # one context for these requests: Flask-Babel keeps the locale it chose in it
        english = client.get(f"/teachers/mandates/plan?term={term.id}").get_data(as_text=True)
        assert "Mandate planner" in english and "Coverage per school" in english
        client.post("/language/zh_CN", data={"next": "/"})
    assert _status_for(app, "teacher.xt01@demo.xq", "/teachers/mandates/plan") == 403
    assert _status_for(app, "coordinator.shangpian@demo.xq", "/teachers/mandates/plan") == 403
    assert _status_for(app, "admin.xt01@demo.xq", "/teachers/mandates/plan") == 403


def test_the_api_proposes_as_documented_and_refuses_others(demo):
    app, coordinator, term = demo
    client = app.test_client()
    response = client.post("/api/v1/mandate-plans/propose", json={"term": term.id}, headers=bearer(coordinator))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    _documented(app, "/mandate-plans/propose", body)
    assert body["all_met"] and body["lessons"] and all(s["met"] for s in body["schools"])
    assert sum(len(t["weeks"]) for t in body["teachers"]) > 0
    area = db.session.scalar(select(User).where(User.email == "coordinator.shangpian@demo.xq"))
    assert client.post("/api/v1/mandate-plans/propose", json={}, headers=bearer(area)).status_code == 403
    teacher = db.session.scalar(select(User).where(User.email == "teacher.xt01@demo.xq"))
    assert client.post("/api/v1/mandate-plans/propose", json={}, headers=bearer(teacher)).status_code == 403
    stale = client.post("/api/v1/mandate-plans/commit", json={"term": term.id, "digest": "0" * 32},
                        headers=bearer(coordinator))
    assert stale.status_code == 409 and stale.get_json()["error"] == "plan_changed"
    assert client.post("/api/v1/mandate-plans/commit", json={"term": term.id},
                       headers=bearer(coordinator)).get_json()["fields"] == {"digest": "Required."}


def test_a_refusal_half_way_leaves_nothing_written(demo, first_proposal, monkeypatch):
    app, coordinator, term = demo
    digest = first_proposal.digest
    headers = bearer(coordinator)
    before, audits = _teacher_lessons(), db.session.scalar(select(func.count(AuditEntry.id)))
    real, calls = mandate_plans.book_lesson, []

    def refuse_the_fourth(actor, lesson):
        calls.append(lesson)
        if len(calls) == 4:
            raise BookingRefused([Refusal(Kind.TEACHER_BUSY, "injected")])
        return real(actor, lesson)

    monkeypatch.setattr(mandate_plans, "book_lesson", refuse_the_fourth)
    response = app.test_client().post("/api/v1/mandate-plans/commit", json={"term": term.id, "digest": digest},
                                      headers=headers)
    assert response.status_code == 409 and response.get_json()["error"] == "conflict"
    assert response.get_json()["conflicts"][0]["message"] == "injected"
    assert len(calls) == 4
    db.session.expire_all()
    assert _teacher_lessons() == before
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audits


def test_any_failure_half_way_in_the_service_rolls_back_everything(demo, first_proposal, monkeypatch):
    _app, coordinator, term = demo
    digest = first_proposal.digest
    before = _teacher_lessons()
    real, calls = mandate_plans.book_lesson, []

    def break_the_third(actor, lesson):
        calls.append(lesson)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(actor, lesson)

    monkeypatch.setattr(mandate_plans, "book_lesson", break_the_third)
    with pytest.raises(RuntimeError):
        mandate_plans.commit(coordinator, term, digest)
    assert _teacher_lessons() == before


def test_committing_books_every_lesson_and_the_mandates_are_met(demo, first_proposal):
    app, coordinator, term = demo
    proposal = first_proposal
    before = _teacher_lessons()
    response = app.test_client().post("/api/v1/mandate-plans/commit",
                                      json={"term": term.id, "digest": proposal.digest}, headers=bearer(coordinator))
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    body = response.get_json()
    _documented(app, "/mandate-plans/commit", body, "201")
    assert body["booked"] == len(proposal.plan.lessons) == len(body["booking_ids"])
    db.session.expire_all()
    assert _teacher_lessons() == before + body["booked"]
    progress = mandate_progress(term)
    assert all(cell.delivered + cell.planned >= cell.line.required for row in progress.rows for cell in row.cells)
    again = mandate_plans.propose(coordinator, term)
    assert again.plan.lessons == [] and again.plan.all_met
    # Undone, so that the module's other tests find the demo as it was whichever worker runs them after this
    # one (pytest-xdist's worksteal may hand this worker the refusal test next: it then met plan_changed).
    for booking_id in body["booking_ids"]:
        cancel_booking(coordinator, db.session.get(Booking, booking_id), reason="test")
    db.session.commit()
    assert mandate_plans.propose(coordinator, term).digest == proposal.digest
