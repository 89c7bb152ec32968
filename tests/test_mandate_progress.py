"""Recording lessons (once, after they happened) and the mandate progress they move: service, pages, API."""
from __future__ import annotations

from datetime import date

import pytest

from booking import clock
from booking.bookings.errors import NotAllowed
from booking.bookings.models import BookingOutcome, BookingStatus, LessonKind
from booking.extensions import db
from booking.bookings.outcomes import record_outcome
from booking.teachers.lessons import LessonRecord, record_lesson
from booking.teachers.mandates import MandateLine, elapsed_share, mandate_lines, mandate_progress, save_mandates
from booking.teachers.visits import request_visit
from booking.validation import ValidationFailed
from tests import factories
from tests.api_support import assert_documented, bearer, get_json
from tests.booking_support import local
from tests.teacher_support import auto_confirm
from tests.test_visit_requests import visit

AFTER_THURSDAY = local(9, 3, 12)


@pytest.fixture
def lesson(district):
    """张丽 at 王庄小学, Thursday 第2节, confirmed; the clock still on Tuesday."""
    auto_confirm(district.lead.district_id)
    return request_visit(district.teacher_a, visit(2, district.zhang)).bookings[0]


def cell(progress, school, key):
    row = next(r for r in progress.rows if r.school == school)
    return next(c for c in row.cells if c.line.key == key)


def test_a_lesson_is_recorded_once_after_it_happened_by_the_teacher(district, lesson):
    with pytest.raises(ValidationFailed) as early:
        record_lesson(district.zhang.user, lesson, LessonRecord("delivered", "demonstration", "学唱《茉莉花》"))
    assert list(early.value.errors) == ["booking"]
    clock.freeze(AFTER_THURSDAY)
    record_lesson(district.zhang.user, lesson, LessonRecord("delivered", "regular", "学唱《茉莉花》"))
    db.session.refresh(lesson)
    assert (lesson.outcome, lesson.lesson_kind, lesson.outcome_note) == (BookingOutcome.USED, LessonKind.REGULAR,
                                                                         "学唱《茉莉花》")
    assert lesson.outcome_recorded_by_id == district.zhang.user_id
    with pytest.raises(ValidationFailed) as twice:
        record_lesson(district.teacher_a, lesson, LessonRecord("not_delivered", None, "没来"))
    assert list(twice.value.errors) == ["outcome"]
    db.session.refresh(lesson)
    assert lesson.outcome == BookingOutcome.USED and lesson.lesson_kind == LessonKind.REGULAR


def test_not_delivered_needs_the_reason_and_others_may_not_record(district, lesson):
    clock.freeze(AFTER_THURSDAY)
    with pytest.raises(ValidationFailed) as failed:
        record_lesson(district.teacher_a, lesson, LessonRecord("not_delivered", "cooking", "下雨"))
    assert set(failed.value.errors) == {"lesson_kind"}
    for record in (lambda: record_lesson(district.teacher_a, lesson, LessonRecord("not_delivered", None, " ")),
                   lambda: record_outcome(lesson, "no_show", "", district.teacher_a)):  # the reports' buttons too
        with pytest.raises(ValidationFailed) as no_reason:
            record()
        assert list(no_reason.value.errors) == ["note"]
    with pytest.raises(NotAllowed):
        record_lesson(district.liu.user, lesson, LessonRecord("delivered", None, ""))
    host_admin = factories.user(role="school_admin", school=district.wangzhuang)
    record_lesson(host_admin, lesson, LessonRecord(False, None, "学校临时停课"))
    assert lesson.outcome == BookingOutcome.NO_SHOW and lesson.lesson_kind == LessonKind.DEMONSTRATION


def test_progress_counts_delivered_and_planned_against_the_term(district, lesson):
    progress = mandate_progress(district.term, today=date(2026, 9, 3))
    music = cell(progress, district.wangzhuang, "demonstration-music")
    assert (music.delivered, music.planned, music.line.required, music.status) == (0, 1, 3, "on_track")
    assert [s.name for s in (r.school for r in progress.rows)] == ["王庄小学", "石门小学", "青石岭小学"]
    clock.freeze(AFTER_THURSDAY)
    record_lesson(district.zhang.user, lesson, LessonRecord("delivered", None, "节奏练习"))
    moved = cell(mandate_progress(district.term, today=date(2026, 9, 3)), district.wangzhuang, "demonstration-music")
    assert (moved.delivered, moved.planned) == (1, 0)
    # Half-way through the term one demonstration of three is behind (one is expected); the other school has none.
    halfway = mandate_progress(district.term, today=date(2026, 11, 11))
    assert 0.49 < halfway.elapsed < 0.51
    assert cell(halfway, district.wangzhuang, "demonstration-music").status == "on_track"
    assert cell(halfway, district.shimen, "demonstration-music").status == "behind"
    assert cell(halfway, district.shimen, "training-any").expected == 1
    assert {r.school.name for r in halfway.behind_rows} == {"王庄小学", "石门小学", "青石岭小学"}  # trainings too


def test_only_delivered_lessons_count(district, lesson):
    lesson.set_status(BookingStatus.CANCELLED)
    db.session.commit()
    gone = cell(mandate_progress(district.term, today=date(2026, 9, 3)), district.wangzhuang, "demonstration-music")
    assert (gone.delivered, gone.planned) == (0, 0)


def test_the_coordinator_sets_the_terms_mandates(district):
    assert [(line.key, line.required) for line in mandate_lines(district.term)] == [
        ("demonstration-music", 3), ("demonstration-pe", 3), ("demonstration-art", 3), ("training-any", 2)]
    with pytest.raises(NotAllowed):
        save_mandates(district.lead_admin, district.term, {})
    with pytest.raises(ValidationFailed) as failed:
        save_mandates(district.coordinator, district.term, {"demonstration-music": "-1", "demonstration-pe": "x"})
    assert set(failed.value.errors) == {"demonstration-music", "demonstration-pe", "demonstration-art",
                                        "training-any"}
    save_mandates(district.coordinator, district.term, {"demonstration-music": "4", "demonstration-pe": "3",
                                                        "demonstration-art": "0", "training-any": "2"})
    assert MandateLine(LessonKind.DEMONSTRATION, "music", 4) in mandate_lines(district.term)
    assert elapsed_share(district.term, date(2026, 8, 1)) == 0 and elapsed_share(district.term, date(2027, 3, 1)) == 1


# --- pages and API -----------------------------------------------------------------------------

def test_the_record_page_and_the_mandate_page_move_together(district, lesson, login_as):
    clock.freeze(AFTER_THURSDAY)
    teacher = login_as(district.zhang.user)
    page = teacher.get(f"/teachers/lessons/{lesson.id}/record")
    assert page.status_code == 200 and "王庄小学" in page.get_data(as_text=True)
    refused = teacher.post(f"/teachers/lessons/{lesson.id}/record", data={"delivered": "not_delivered", "note": ""})
    assert refused.status_code == 422
    saved = teacher.post(f"/teachers/lessons/{lesson.id}/record",
                         data={"delivered": "delivered", "lesson_kind": "demonstration", "note": "学唱《茉莉花》"})
    assert saved.status_code == 302
    teacher.post("/logout")
    admin = login_as(district.lead_admin)
    table = admin.get("/teachers/mandates").get_data(as_text=True)
    assert "王庄小学" in table and "已上 1 / 3" in table
    assert admin.post("/teachers/mandates", data={"demonstration-music": "4"}).status_code == 403
    admin.post("/logout")
    coordinator = login_as(district.coordinator)
    bad = coordinator.post(f"/teachers/mandates?term={district.term.id}", data={"demonstration-music": "x"})
    assert bad.status_code == 422


def test_api_mandates_and_record(district, lesson, client):
    clock.freeze(AFTER_THURSDAY)
    headers = bearer(district.zhang.user)
    early_body = {"delivered": "yes"}
    bad = client.post(f"/api/v1/bookings/{lesson.id}/record", json=early_body, headers=headers)
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"delivered"}
    done = client.post(f"/api/v1/bookings/{lesson.id}/record", json={"delivered": True, "note": "合唱"},
                       headers=headers)
    assert done.status_code == 200 and done.get_json()["outcome"] == "used"
    again = client.post(f"/api/v1/bookings/{lesson.id}/record", json={"delivered": True}, headers=headers)
    assert again.status_code == 422 and "outcome" in again.get_json()["fields"]
    stranger = client.post(f"/api/v1/bookings/{lesson.id}/record", json={"delivered": True},
                           headers=bearer(district.liu.user))
    assert stranger.status_code == 403
    body = get_json(client, f"/api/v1/mandates?term={district.term.id}", district.coordinator)
    assert_documented(client, body, "/mandates")
    wangzhuang = next(s for s in body["schools"] if s["school"]["id"] == district.wangzhuang.id)
    assert {c["key"]: c["delivered"] for c in wangzhuang["cells"]}["demonstration-music"] == 1
    assert get_json(client, "/api/v1/mandates?term=99999", district.coordinator, status=422)["fields"]["term"]
    assert get_json(client, "/api/v1/mandates", district.teacher_a, status=403)


def test_api_resource_shows_the_teachers_details(district, client):
    body = get_json(client, f"/api/v1/resources/{district.zhang.resource_id}", district.teacher_a)
    assert_documented(client, body, "/resources/{resource_id}")
    teacher = body["teacher"]
    assert (teacher["subjects"], teacher["home_school"]["name"], teacher["weekly_cap"]) == (["music"], "新天寄宿制小学", 8)
    assert {s["name"] for s in teacher["served_schools"]} == {"王庄小学", "石门小学", "青石岭小学"}
    listing = get_json(client, "/api/v1/resources?kind=teacher", district.teacher_a)
    assert {item["name"] for item in listing["items"]} == {"音乐 · 张丽老师", "音乐 · 刘芳老师", "体育 · 王强老师"}
    room = factories.resource(owner_school=district.lead)
    assert get_json(client, f"/api/v1/resources/{room.id}", district.teacher_a)["teacher"] is None
    school = get_json(client, f"/api/v1/schools/{district.wangzhuang.id}", district.teacher_a)
    assert school["travel_minutes"][str(district.shimen.id)] == 40
