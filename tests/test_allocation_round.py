"""The term allocation round end to end: requests, the rules' candidates, preview against first come first
served, commit as weekly series in one transaction (a failure half-way leaves nothing), the API."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import jsonschema
import pytest
from sqlalchemy import func, select

from booking import clock, events
from booking.accounts.models import Role
from booking.allocation import services
from booking.allocation.models import AllocationRequest, AllocationRound, RequestStatus, RoundStatus
from booking.allocation.services import RequestInput, commit_round, open_round, preview_round, submit_request
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingSeries
from booking.extensions import db
from booking.resources.models import Category
from booking.validation import ValidationFailed
from tests import factories
from tests.api_support import bearer

ZONE_NOW = datetime(2026, 8, 20, 1, 0, tzinfo=timezone.utc)
DEADLINE = datetime(2026, 8, 25, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
@factories.batched
def district(app):
    """A lead school with one lab; a big strong school (which asks first) and a small weak one want it."""
    clock.freeze(ZONE_NOW)
    lead = factories.school(name="中心校", enrollment=1500, is_lead=True)
    strong = factories.school(name="强校", enrollment=600)
    weak = factories.school(name="村小", enrollment=300, is_weak=True)
    term = factories.term(start_date=date(2026, 9, 1), end_date=date(2026, 10, 30))
    lab = factories.resource(owner_school=lead, name="物理实验室", category=Category.LAB)
    coordinator = factories.user(role=Role.COORDINATOR)
    strong_teacher = factories.user(school=strong)
    weak_teacher = factories.user(school=weak)
    round_ = open_round(coordinator, term.id, "秋季统筹", DEADLINE)
    return dict(lead=lead, strong=strong, weak=weak, term=term, lab=lab, coordinator=coordinator,
                strong_teacher=strong_teacher, weak_teacher=weak_teacher, round=round_)


def ask(who, round_, slots, resource=None, category=None, weeks=4, title="分组实验"):
    return submit_request(who, round_, RequestInput(title=title, slots=slots, weeks=weeks,
                                                    resource_id=resource.id if resource else None, category=category,
                                                    students=30))


def test_the_allocator_serves_more_and_more_evenly_than_first_come_first_served(district):
    d = district
    # The strong school asks first for Monday 第3节 or Tuesday 第3节, then for any lab on Tuesday 第3节;
    # the weak school only for Monday 第3节. Two slots, three requests: first come gives both to the strong school.
    first = ask(d["strong_teacher"], d["round"], [[0, 3], [1, 3]], d["lab"])
    second = ask(d["strong_teacher"], d["round"], [[1, 3]], category="lab")
    weak = ask(d["weak_teacher"], d["round"], [[0, 3]], d["lab"])
    preview = preview_round(d["coordinator"], d["round"])
    assert preview.served_fcfs == 2 and preview.served == 2
    by_id = {line.request.id: line for line in preview.lines}
    assert by_id[weak.id].placement is not None and by_id[weak.id].placement.candidate.weekday == 0
    assert by_id[first.id].placement.candidate.weekday == 1  # its second choice; it came before `second`
    assert by_id[second.id].placement is None and by_id[second.id].reason is services.CONTESTED
    assert by_id[weak.id].fcfs is None and by_id[second.id].fcfs is not None
    assert preview.cv_after < preview.cv_fcfs
    assert by_id[weak.id].placement.dates == 4 and by_id[weak.id].placement.first_day == date(2026, 9, 7)


def test_a_request_no_rule_allows_is_unmet_with_the_rules_reason(district):
    d = district
    factories.closure(start_date=date(2026, 9, 1), end_date=date(2026, 10, 30), school_id=d["lead"].id,
                      reason="校舍维修")
    item = ask(d["weak_teacher"], d["round"], [[2, 7]], d["lab"])  # no 第7节 in the lead school's bells
    other = ask(d["weak_teacher"], d["round"], [[2, 3]], d["lab"])
    lines = {line.request.id: line for line in preview_round(d["coordinator"], d["round"]).lines}
    assert "7" in str(lines[item.id].reason)
    assert "校舍维修" in str(lines[other.id].reason)


def test_commit_makes_weekly_series_and_announces_once(district):
    d = district
    ask(d["strong_teacher"], d["round"], [[0, 3], [1, 3]], d["lab"])
    weak = ask(d["weak_teacher"], d["round"], [[0, 3]], d["lab"])
    heard = []
    with pytest.raises(ValidationFailed) as early:
        commit_round(d["coordinator"], d["round"])  # before the deadline
    assert "round" in early.value.errors
    clock.freeze(DEADLINE + timedelta(hours=1))
    with events.allocation_committed.connected_to(lambda actor, **kw: heard.append(kw)):
        preview = commit_round(d["coordinator"], d["round"])
    db.session.commit()
    assert preview.served == 2 and d["round"].status == RoundStatus.COMMITTED
    assert db.session.scalar(select(func.count()).select_from(BookingSeries)) == 2
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 8
    assert db.session.get(AllocationRequest, weak.id).status == RequestStatus.SERVED
    assert len(heard) == 1 and len(heard[0]["bookings"]) == 8 and len(heard[0]["served"]) == 2


def test_a_failure_half_way_through_the_commit_leaves_nothing(district, client, login_as, monkeypatch):
    d = district
    ask(d["strong_teacher"], d["round"], [[1, 3]], d["lab"])
    ask(d["weak_teacher"], d["round"], [[0, 3]], d["lab"])
    ask(d["weak_teacher"], d["round"], [[2, 3]], d["lab"])
    db.session.commit()
    round_id = d["round"].id
    clock.freeze(DEADLINE + timedelta(hours=1))
    real, calls = services.create_booking, []

    def second_fails(actor, data):
        calls.append(data)
        if len(calls) == 2:
            raise BookingRefused([])
        return real(actor, data)

    monkeypatch.setattr(services, "create_booking", second_fails)
    login_as(d["coordinator"])
    response = client.post(f"/allocation/{round_id}/commit")
    assert response.status_code == 409 and len(calls) == 2
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(BookingSeries)) == 0
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert db.session.get(AllocationRound, round_id).status == RoundStatus.OPEN
    assert {r.status for r in db.session.scalars(select(AllocationRequest))} == {RequestStatus.SUBMITTED}


def test_requests_close_at_the_deadline_and_teachers_ask_for_their_own_school(district):
    d = district
    from booking.bookings.errors import NotAllowed

    with pytest.raises(NotAllowed):
        submit_request(d["weak_teacher"], d["round"], RequestInput("课", [[0, 3]], 4, d["lab"].id,
                                                                   school_id=d["strong"].id))
    with pytest.raises(ValidationFailed) as failed:
        submit_request(d["weak_teacher"], d["round"], RequestInput("", [], 0, None, category="nope"))
    assert set(failed.value.errors) >= {"slots", "weeks", "category", "title"}
    clock.freeze(DEADLINE)
    with pytest.raises(ValidationFailed):
        ask(d["weak_teacher"], d["round"], [[0, 3]], d["lab"])
    with pytest.raises(NotAllowed):
        open_round(d["weak_teacher"], d["term"].id, "x", DEADLINE)


def test_the_api_takes_requests_and_previews(district, client):
    d = district
    db.session.commit()
    teacher_auth = bearer(d["weak_teacher"])
    body = {"title": "实验课", "slots": [{"weekday": 0, "period": 3}], "weeks": 4, "resource_id": d["lab"].id}
    created = client.post(f"/api/v1/allocation-rounds/{d['round'].id}/requests", json=body, headers=teacher_auth)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["slots"] == [[0, 3]]
    bad = client.post(f"/api/v1/allocation-rounds/{d['round'].id}/requests", json={**body, "slots": []},
                      headers=teacher_auth)
    assert bad.status_code == 422 and "slots" in bad.get_json()["fields"]
    assert client.get(f"/api/v1/allocation-rounds/{d['round'].id}/preview", headers=teacher_auth).status_code == 403
    head = factories.user(role=Role.COORDINATOR, district_id=factories.district(name="乙学区").id)
    refused = client.get(f"/api/v1/allocation-rounds/{d['round'].id}/preview", headers=bearer(head))
    # It said "This booking is not yours to change." of every service's refusal (a new user's walk, 2026-12-06).
    assert refused.status_code == 403 and refused.get_json()["message"] == "You may see this but not change it."
    coordinator_auth = bearer(d["coordinator"])
    preview = client.get(f"/api/v1/allocation-rounds/{d['round'].id}/preview", headers=coordinator_auth).get_json()
    assert preview["served"] == 1 and preview["lines"][0]["weekday"] == 0
    documented(client, created.get_json(), "/allocation-rounds/{round_id}/requests", "post", "201")
    early = client.post(f"/api/v1/allocation-rounds/{d['round'].id}/commit", headers=coordinator_auth)
    assert early.status_code == 422 and "round" in early.get_json()["fields"]
    clock.freeze(DEADLINE + timedelta(minutes=1))
    committed = client.post(f"/api/v1/allocation-rounds/{d['round'].id}/commit", headers=coordinator_auth)
    assert committed.status_code == 200 and committed.get_json()["round"]["status"] == "committed"
    documented(client, committed.get_json(), "/allocation-rounds/{round_id}/commit", "post")
    again = client.post(f"/api/v1/allocation-rounds/{d['round'].id}/commit", headers=coordinator_auth)
    assert again.status_code == 422
    opened = client.post("/api/v1/allocation-rounds", headers=coordinator_auth,
                         json={"term_id": d["term"].id, "name": "补充轮", "deadline": "2026-09-10T09:00:00Z"})
    assert opened.status_code == 201 and opened.get_json()["accepts_requests"] is True
    documented(client, opened.get_json(), "/allocation-rounds", "post", "201")
    refused = client.post("/api/v1/allocation-rounds", headers=teacher_auth,
                          json={"term_id": d["term"].id, "name": "x", "deadline": "2026-09-10T09:00:00Z"})
    assert refused.status_code == 403


def documented(client, body, path: str, method: str, status: str = "200") -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**schema, "components": document["components"]}, cls=jsonschema.Draft202012Validator,
                        format_checker=jsonschema.FormatChecker())


def test_the_pages_take_a_request_and_the_coordinator_commits(district, client, login_as):
    d = district
    db.session.commit()
    round_id, lab_id = d["round"].id, d["lab"].id
    login_as(d["weak_teacher"])
    page = client.get(f"/allocation/{round_id}")
    assert page.status_code == 200 and "分组实验" not in page.get_data(as_text=True)
    assert f'<option value="{lab_id}">物理实验室（中心校）</option>' in page.get_data(as_text=True)  # which 实验室
    bad = client.post(f"/allocation/{round_id}", data={"title": "", "weeks": "4", "priority": "3"})
    assert bad.status_code == 422
    good = client.post(f"/allocation/{round_id}", data={"resource_id": str(lab_id), "slots": ["0-3", "1-3"],
                                                        "weeks": "4", "title": "<b>分组实验</b>", "priority": "2"})
    assert good.status_code == 302
    listed = client.get(f"/allocation/{round_id}").get_data(as_text=True)
    assert "&lt;b&gt;分组实验&lt;/b&gt;" in listed and "<b>分组实验" not in listed
    assert client.get(f"/allocation/{round_id}/preview").status_code == 403
    client.post("/logout")
    login_as(d["coordinator"])
    preview = client.get(f"/allocation/{round_id}/preview").get_data(as_text=True)
    assert "allocation-summary" in preview and "&lt;b&gt;分组实验" in preview
    clock.freeze(DEADLINE + timedelta(minutes=1))
    assert client.post(f"/allocation/{round_id}/commit").status_code == 302
    db.session.remove()
    assert db.session.get(AllocationRound, round_id).status == RoundStatus.COMMITTED
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 4


def test_the_pages_speak_english_too(district, client, login_as):
    d = district
    english = factories.user(school=d["weak"], locale="en")
    ask(d["weak_teacher"], d["round"], [[0, 3]], d["lab"])
    db.session.commit()
    login_as(english)
    listing = client.get("/allocation/").get_data(as_text=True)
    assert "Term allocation rounds" in listing and "Taking requests" in listing
    page = client.get(f"/allocation/{d['round'].id}").get_data(as_text=True)
    assert "Submit a weekly request" in page and "Monday" in page


def test_each_requester_is_told_the_answer_at_the_commit(district):
    from booking.notifications.models import Notification, NotificationKind
    d = district
    ask(d["strong_teacher"], d["round"], [[0, 3]], d["lab"], title="强校实验")
    ask(d["weak_teacher"], d["round"], [[0, 3]], d["lab"], title="村小实验")  # the same slot: one of them waits
    clock.freeze(DEADLINE + timedelta(hours=1))
    commit_round(d["coordinator"], d["round"])
    told = {n.user_id: n.kind for n in db.session.scalars(select(Notification))}
    assert set(told) == {d["weak_teacher"].id, d["strong_teacher"].id}  # the requesters, not the coordinator
    assert sorted(told.values()) == [NotificationKind.APPROVED, NotificationKind.REJECTED]


def test_the_allocator_keeps_each_school_within_its_term_quota(district):
    from booking.quotas.settings import set_quota
    d = district
    set_quota(d["coordinator"], d["lab"].owner_school.district_id, {"hours": 2}, resource_id=d["lab"].id)
    over = ask(d["weak_teacher"], d["round"], [[0, 3]], d["lab"], weeks=4)  # 4 × 40 min: over 2 hours
    within = ask(d["strong_teacher"], d["round"], [[1, 3]], d["lab"], weeks=3)  # 3 × 40 min: within
    lines = {line.request.id: line for line in preview_round(d["coordinator"], d["round"]).lines}
    assert lines[over.id].placement is None and lines[within.id].placement is not None
    clock.freeze(DEADLINE + timedelta(hours=1))
    preview = commit_round(d["coordinator"], d["round"])  # the booking rules' quota check agrees: nothing refused
    assert preview.served == 1


def test_the_coordinator_opens_a_round_with_the_browsers_date_and_time_picker(district, client, login_as):
    d = district
    login_as(d["coordinator"])
    page = client.get("/allocation/").get_data(as_text=True)
    assert 'type="datetime-local"' in page and "YYYY" not in page
    spring = factories.term(start_date=date(2027, 2, 20), end_date=date(2027, 7, 10))  # d["term"] has its round open
    opened = client.post("/allocation/", data={"term_id": spring.id, "name": "补充轮", "deadline": "2026-09-10T17:00"})
    assert opened.status_code == 302
    made = db.session.scalar(select(AllocationRound).where(AllocationRound.name == "补充轮"))
    assert made.deadline.replace(tzinfo=timezone.utc) == datetime(2026, 9, 10, 9, 0, tzinfo=timezone.utc)  # 17:00 in 北京
    refused = client.post("/allocation/", data={"term_id": spring.id, "name": "再一轮", "deadline": "9月10日"})
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(AllocationRound).where(AllocationRound.name == "再一轮")) == 0


def test_a_round_cannot_open_with_its_deadline_already_past(district):
    d = district
    with pytest.raises(ValidationFailed) as refused:
        open_round(d["coordinator"], d["term"].id, "过去截止", ZONE_NOW - timedelta(days=1))
    assert "deadline" in refused.value.errors
    db.session.rollback()
    past = select(func.count()).select_from(AllocationRound).where(AllocationRound.name == "过去截止")
    assert db.session.scalar(past) == 0


def test_a_term_has_one_open_round_at_a_time(app):
    """Found: a second round of the same term opened beside the first (both would take requests for the same
    slots). Refused with the open round's name until that one is committed."""
    clock.freeze(datetime(2026, 8, 20, tzinfo=timezone.utc))
    term = factories.term(start_date=date(2026, 9, 1), end_date=date(2026, 9, 30))
    coordinator = factories.user(role=Role.COORDINATOR)
    first = open_round(coordinator, term.id, "秋季统筹", DEADLINE)
    with pytest.raises(ValidationFailed) as refused:
        open_round(coordinator, term.id, "秋季补充", DEADLINE)
    assert "秋季统筹" in str(refused.value.errors["term_id"])
    other_term = factories.term(start_date=date(2026, 10, 1), end_date=date(2026, 10, 30))
    assert open_round(coordinator, other_term.id, "十月统筹", DEADLINE).id != first.id
    first.status = RoundStatus.COMMITTED
    db.session.flush()
    assert open_round(coordinator, term.id, "秋季补充", DEADLINE).term_id == term.id
