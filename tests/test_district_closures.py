"""A closure and a make-up day of one district (issue 17: a district coordinator manages their district): every
school of 乙学区 closes for its sports meet, and makes the day up on a Saturday, while 甲学区 and the county's centre
keep their days. A closure of no school and no district closes the county (national holidays); a make-up day of
neither is the county's. The world: ``tests/county_support.py``."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import text

from booking import create_app
from booking.bookings import closures
from booking.bookings.errors import BookingRefused
from booking.bookings.models import BookingStatus
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.bookings.calendar_queries import makeup_days_by_school
from booking.schools.calendar import ClosureInput
from booking.schools.makeup import MakeupDayInput, create_makeup_day
from booking.schools.models import Closure, MakeupDay
from tests import factories
from tests.api_support import bearer
from tests.booking_support import local, single
from tests.conftest import login
from tests.test_ics_import import HOLIDAYS
from tests.test_ics_import_pages import PAYLOAD
from tests.county_support import county_visiting_teacher

MEET = "乙学区运动会"


def _district_closure(world, key: str = "B", day: int = 9, reason: str = MEET) -> Closure:
    return factories.closure(district_id=world.districts[key].id, start_date=date(2026, 9, day),
                             end_date=date(2026, 9, day), reason=reason)


def _refused(user, booking_input) -> list[str]:
    with pytest.raises(BookingRefused) as refused:
        create_booking(user, booking_input)
    db.session.rollback()
    return [str(refusal.message) for refusal in refused.value.refusals]


def test_a_districts_closure_closes_its_schools_and_no_others(county_world):
    w = county_world
    _district_closure(w)
    assert any(MEET in message for message in _refused(w.users["teacher_b"], single(w.resources["b_gym"], day=9)))
    # 甲学区's own room and the county's centre stay open that day, for either district's classes.
    assert create_booking(w.users["teacher_a"], single(w.resources["a_lab"], day=9)).bookings
    assert create_booking(w.users["teacher_b"], single(w.resources["centre_hall"], day=9)).bookings
    db.session.commit()


def test_a_county_visiting_teacher_is_refused_at_a_closed_district_only(county_world):
    w = county_world
    profile = county_visiting_teacher(w)
    _district_closure(w)
    lesson = dict(start=local(9, 9, 14, 0), end=local(9, 9, 14, 40), title="音乐课", students=None)
    assert any(MEET in message for message in _refused(w.users["teacher_b"], single(profile.resource, **lesson)))
    assert create_booking(w.users["teacher_a"], single(profile.resource, **lesson)).bookings[0].school_id == \
        w.schools["A1"].id


def test_a_districts_closure_hits_the_bookings_of_its_schools_only(county_world):
    w = county_world
    span = closures.validated(ClosureInput("2026-09-03", "2026-09-04", MEET, district_id=w.districts["B"].id))
    assert (span.school_id, span.district_id) == (None, w.districts["B"].id)
    assert [b.id for b in closures.closure_hits(span)] == [w.bookings["b_shared"].id]
    county = closures.validated(ClosureInput("2026-09-03", "2026-09-04", "台风停课"))
    assert {b.id for b in closures.closure_hits(county)} == {b.id for b in w.bookings.values()}


def test_a_school_and_another_district_are_refused_together(county_world):
    w = county_world
    with pytest.raises(Exception) as failed:
        closures.validated(ClosureInput("2026-09-03", "2026-09-03", MEET, school_id=w.schools["B1"].id,
                                        district_id=w.districts["A"].id))
    assert "school_id" in failed.value.errors


def _form(choice: str, **extra) -> dict:
    return {"school_id": choice, "start_date": "2026-09-03", "end_date": "2026-09-03", "reason": MEET, **extra}


def test_a_district_coordinator_closes_their_district_from_the_closures_page(county_world, client, login_as):
    w = county_world
    login_as(w.users["head_b"])
    form = client.get("/admin/closures/new").get_data(as_text=True)
    own, other = f'value="district:{w.districts["B"].id}"', f'value="district:{w.districts["A"].id}"'
    assert own in form and "乙学区全部学校" in form
    assert other not in form and '<option value=""' not in form
    refused = client.post("/admin/closures/new", data=_form(f"district:{w.districts['A'].id}", on_bookings="keep"))
    assert refused.status_code == 422 and 'id="school_id-error"' in refused.get_data(as_text=True)
    asked = client.post("/admin/closures/new", data=_form(f"district:{w.districts['B'].id}")).get_data(as_text=True)
    assert "乙学区全部学校" in asked and "乙学区预约" in asked and "甲学区请求" not in asked
    saved = client.post("/admin/closures/new", data=_form(f"district:{w.districts['B'].id}", on_bookings="cancel",
                                                          shown=str(w.bookings["b_shared"].id)))
    assert saved.status_code == 302
    closure = db.session.query(Closure).one()
    assert (closure.school_id, closure.district_id) == (None, w.districts["B"].id)
    assert w.bookings["b_shared"].status == BookingStatus.CANCELLED
    assert {w.bookings[k].status for k in ("a_request", "a_own", "a_centre")} == {BookingStatus.PENDING,
                                                                                  BookingStatus.CONFIRMED}
    assert MEET in client.get("/admin/closures").get_data(as_text=True)
    assert client.get(f"/admin/closures/{closure.id}").status_code == 200


def test_each_coordinator_lists_the_county_their_district_and_their_schools(county_world, app, client, login_as):
    w = county_world
    _district_closure(w)
    factories.closure(reason="国庆节")
    login_as(w.users["head_a"])
    listing = client.get("/admin/closures").get_data(as_text=True)
    assert "国庆节" in listing and MEET not in listing
    client = app.test_client()
    login(client, w.users["county_coordinator"])
    listing = client.get("/admin/closures").get_data(as_text=True)
    assert "国庆节" in listing and MEET in listing and "新天县全部学校" in listing and "乙学区全部学校" in listing
    by_school = client.get(f"/admin/closures?school={w.schools['A1'].id}").get_data(as_text=True)
    assert "国庆节" in by_school and MEET not in by_school


def test_the_api_takes_a_districts_closure_from_its_coordinator_only(county_world, client):
    w = county_world
    body = {"start_date": "2026-09-10", "end_date": "2026-09-10", "reason": "甲学区教研日"}
    head = bearer(w.users["head_a"])
    made = client.post("/api/v1/closures", headers=head, json={**body, "district_id": w.districts["A"].id})
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["closure"]["school_id"], made.get_json()["closure"]["district_id"]) == (
        None, w.districts["A"].id)
    assert client.post("/api/v1/closures", headers=head, json={**body, "district_id": w.districts["B"].id}
                       ).status_code == 403
    assert client.post("/api/v1/closures", headers=head, json=body).status_code == 403
    mismatched = client.post("/api/v1/closures", headers=head, json={
        **body, "district_id": w.districts["A"].id, "school_id": w.schools["B1"].id})
    assert mismatched.status_code == 422 and "school_id" in mismatched.get_json()["fields"]
    unknown = client.post("/api/v1/closures", headers=bearer(w.users["county_coordinator"]),
                          json={**body, "district_id": 999999})
    assert unknown.status_code == 422 and "district_id" in unknown.get_json()["fields"]
    factories.closure(reason="国庆节")
    listed = client.get(f"/api/v1/closures?school_id={w.schools['B1'].id}", headers=head).get_json()
    assert [item["reason"] for item in listed["items"]] == ["国庆节"]
    listed = client.get(f"/api/v1/closures?school_id={w.schools['A2'].id}", headers=head).get_json()
    assert {item["reason"] for item in listed["items"]} == {"国庆节", "甲学区教研日"}


SATURDAY = date(2026, 9, 12)


def _makeup(world, actor_key: str = "county_coordinator", **place) -> MakeupDay:
    made = create_makeup_day(MakeupDayInput(SATURDAY.isoformat(), 4, "运动会补课", **place), world.users[actor_key])
    db.session.commit()
    return made


def test_a_districts_makeup_saturday_opens_its_schools_only(county_world):
    w = county_world
    _makeup(w, "head_b", district_id=w.districts["B"].id)
    saturday = dict(start=local(9, 12, 9, 50), end=local(9, 12, 10, 30))
    assert create_booking(w.users["teacher_b"], single(w.resources["b_gym"], **saturday)).bookings
    db.session.commit()
    assert _refused(w.users["teacher_a"], single(w.resources["a_lab"], **saturday))


def test_a_schools_makeup_day_wins_over_its_districts_and_that_over_the_countys(county_world):
    w = county_world
    _makeup(w)  # the county's: Friday's timetable
    create_makeup_day(MakeupDayInput(SATURDAY.isoformat(), 0, "乙学区按周一", district_id=w.districts["B"].id),
                      w.users["head_b"])
    create_makeup_day(MakeupDayInput(SATURDAY.isoformat(), 2, "甲二小学按周三", school_id=w.schools["A2"].id),
                      w.users["head_a"])
    db.session.commit()
    found = makeup_days_by_school({s.id for s in w.schools.values()}, SATURDAY, SATURDAY)
    assert {key: found[s.id].get(SATURDAY) for key, s in w.schools.items()} == {"A1": 4, "A2": 2, "B1": 0, "C1": 4}


def test_a_district_coordinator_keeps_their_districts_makeup_days_on_the_page(county_world, app, client, login_as):
    w = county_world
    login_as(w.users["head_b"])
    form = client.get("/admin/makeup-days/new").get_data(as_text=True)
    assert f'value="district:{w.districts["B"].id}"' in form and '<option value=""' not in form
    assert f'value="district:{w.districts["A"].id}"' not in form
    fields = {"day": SATURDAY.isoformat(), "follows_weekday": "4", "reason": "运动会补课"}
    refused = client.post("/admin/makeup-days/new", data={**fields, "school_id": f"district:{w.districts['A'].id}"})
    assert refused.status_code == 422 and 'id="school_id-error"' in refused.get_data(as_text=True)
    county = client.post("/admin/makeup-days/new", data={**fields, "school_id": ""})
    assert county.status_code == 422
    saved = client.post("/admin/makeup-days/new", data={**fields, "school_id": f"district:{w.districts['B'].id}"})
    assert saved.status_code == 302
    made = db.session.query(MakeupDay).one()
    assert (made.school_id, made.district_id) == (None, w.districts["B"].id)
    assert "乙学区全部学校" in client.get("/admin/makeup-days").get_data(as_text=True)
    other = app.test_client()
    login(other, w.users["head_a"])
    assert "运动会补课" not in other.get("/admin/makeup-days").get_data(as_text=True)
    assert other.get(f"/admin/makeup-days/{made.id}").status_code == 404


def test_the_api_takes_a_districts_makeup_day_from_its_coordinator_only(county_world, client):
    w = county_world
    body = {"date": SATURDAY.isoformat(), "follows_weekday": 4, "reason": "甲学区补课"}
    head = bearer(w.users["head_a"])
    assert client.post("/api/v1/makeup-days", headers=head, json={**body, "district_id": w.districts["B"].id}
                       ).status_code == 403
    assert client.post("/api/v1/makeup-days", headers=head, json=body).status_code == 403
    made = client.post("/api/v1/makeup-days", headers=head, json={**body, "district_id": w.districts["A"].id})
    assert made.status_code == 201 and made.get_json()["district_id"] == w.districts["A"].id
    theirs = client.post("/api/v1/makeup-days", headers=bearer(w.users["head_b"]),
                         json={**body, "district_id": w.districts["B"].id}).get_json()
    assert client.delete(f"/api/v1/makeup-days/{theirs['id']}", headers=head).status_code == 403
    listed = client.get(f"/api/v1/makeup-days?school={w.schools['A1'].id}", headers=head).get_json()
    assert [item["reason"] for item in listed["items"]] == ["甲学区补课"]


def _two_districts_at_0012b() -> None:
    now = {"now": "2026-11-20 08:00:00"}
    for statement in (
        "INSERT INTO counties (id, name, created_at) VALUES (1, '新天县', :now)",
        "INSERT INTO districts (id, name, county_id, created_at) VALUES (1, '新天学区', 1, :now),"
        " (2, '东河学区', 1, :now)",
        "INSERT INTO schools (id, district_id, code, name, stage, enrollment, is_lead, is_weak, area, address, active,"
        " district_owned) VALUES (1, 2, 'DH01', '东河寄宿制小学', 'primary', 780, true, false, '东片', '', true, false)",
        # Before 0013a every closure and make-up day was written with the installation's first district.
        "INSERT INTO closures (id, district_id, school_id, start_date, end_date, reason) VALUES"
        " (1, 1, NULL, '2026-10-01', '2026-10-07', '国庆节'), (2, 1, 1, '2026-11-03', '2026-11-03', '校舍检修')",
        "INSERT INTO makeup_days (id, district_id, school_id, day, follows_weekday, reason) VALUES"
        " (1, 1, NULL, '2026-09-20', 4, '国庆节补班'), (2, 1, 1, '2026-11-07', 0, '校补课')",
    ):
        db.session.execute(text(statement), now)
    db.session.commit()


PLACED = {"closures": "SELECT id, district_id, school_id FROM closures ORDER BY id",
          "makeup_days": "SELECT id, district_id, school_id FROM makeup_days ORDER BY id"}


def _placed() -> dict:
    found = {table: db.session.execute(text(query)).all() for table, query in PLACED.items()}
    db.session.commit()  # a read's lock would hold a migration's ALTER TABLE on PostgreSQL
    return found


def test_the_migration_keeps_what_each_closure_and_makeup_day_does(empty_database_url):
    from flask_migrate import downgrade, upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True, "SECRET_KEY": "t"})
    with app.app_context():
        upgrade(revision="0012b")
        _two_districts_at_0012b()
        upgrade(revision="0013a")
        assert _placed() == {table: [(1, None, None), (2, 2, 1)] for table in PLACED}
        db.session.execute(text("INSERT INTO makeup_days (id, district_id, school_id, day, follows_weekday, reason)"
                                " VALUES (3, 2, NULL, '2026-12-19', 4, '运动会调课')"))
        db.session.commit()
        with pytest.raises(SystemExit):  # Flask-Migrate logs the RuntimeError and exits
            downgrade(revision="0012b")
        db.session.rollback()
        db.session.execute(text("DELETE FROM makeup_days WHERE id = 3"))
        db.session.commit()
        downgrade(revision="0012b")
        assert _placed() == {table: [(1, 1, None), (2, 2, 1)] for table in PLACED}
        db.session.remove()
        db.engine.dispose()


def test_the_calendar_api_shows_each_district_its_own_and_the_countys(county_world, client):
    w = county_world
    theirs = _district_closure(w, "A", day=3, reason="甲学区教研日")
    county = factories.closure(reason="国庆节")
    kept = factories.closure(start_date=date(2026, 9, 3), end_date=date(2026, 9, 4), reason="台风停课")
    for user in ("head_b", "teacher_b"):
        head = bearer(w.users[user])
        assert {i["reason"] for i in client.get("/api/v1/closures", headers=head).get_json()["items"]} == {
            "国庆节", "台风停课"}
        assert client.get(f"/api/v1/closures/{theirs.id}", headers=head).status_code == 404
        assert client.get(f"/api/v1/closures/{county.id}", headers=head).status_code == 200
    # The county's typhoon day falls on both districts' bookings: B's teacher is shown B's and the centre's, not
    # 甲学区's own-school lab booking.
    shown = client.get(f"/api/v1/closures/{kept.id}", headers=bearer(w.users["teacher_b"])).get_json()["bookings"]
    assert w.bookings["b_shared"].id in {b["id"] for b in shown}
    assert w.bookings["a_own"].id not in {b["id"] for b in shown}
    create_makeup_day(MakeupDayInput(SATURDAY.isoformat(), 4, "甲学区补课", district_id=w.districts["A"].id),
                      w.users["head_a"])
    db.session.commit()
    listed = client.get("/api/v1/makeup-days", headers=bearer(w.users["teacher_b"])).get_json()["items"]
    assert listed == []


def test_a_district_coordinator_reads_their_own_changes_in_the_audit_log(county_world, client, login_as):
    w = county_world
    login_as(w.users["head_b"])
    client.post("/admin/closures/new", data=_form(f"district:{w.districts['B'].id}", on_bookings="keep",
                                                  shown=str(w.bookings["b_shared"].id)))
    closure = db.session.query(Closure).one()
    client.post(f"/admin/closures/{closure.id}/delete", data={"confirmed": "1"})
    log = client.get("/audit/").get_data(as_text=True)
    assert "添加停课" in log and "删除停课" in log and "乙学区" in log


def _import(client, **fields):
    form = {"kind": "closures", "school_id": "", "remove_missing": "y", "url": "",
            "file": (io.BytesIO(HOLIDAYS), "holidays.ics"), **fields}
    return client.post("/admin/calendar-import", data=form, content_type="multipart/form-data")


def test_a_district_coordinator_imports_a_calendar_into_their_district_only(county_world, client, login_as):
    w = county_world
    login_as(w.users["head_b"])
    page = client.get("/admin/calendar-import").get_data(as_text=True)
    assert f'value="district:{w.districts["B"].id}"' in page and '<option value=""' not in page
    assert 'value="terms"' not in page and "/admin/calendar-import" in client.get("/admin/makeup-days").get_data(
        as_text=True)
    for forbidden in ("", f"district:{w.districts['A'].id}", str(w.schools["A1"].id)):
        assert _import(client, school_id=forbidden).status_code == 422
    assert _import(client, kind="terms", school_id=f"district:{w.districts['B'].id}").status_code == 422
    preview = _import(client, school_id=f"district:{w.districts['B'].id}").get_data(as_text=True)
    assert "乙学区全部学校" in preview
    done = client.post("/admin/calendar-import/apply", data={"payload": PAYLOAD.search(preview).group(1),
                                                             "on_bookings": "keep"})
    assert done.status_code == 302
    imported = db.session.query(Closure).all()
    assert imported and {(c.school_id, c.district_id) for c in imported} == {(None, w.districts["B"].id)}
    again = _import(client, school_id=f"district:{w.districts['B'].id}").get_data(as_text=True)
    assert 'name="payload"' not in again  # the same file into the same district: nothing to change
    # A preview signed for the county cannot be applied by a district's coordinator.
    county_preview = client.application.test_client()
    login(county_preview, w.users["county_coordinator"])
    signed = PAYLOAD.search(_import(county_preview).get_data(as_text=True)).group(1)
    assert client.post("/admin/calendar-import/apply", data={"payload": signed}).status_code == 403


def test_the_import_api_takes_a_district_target_from_its_coordinator_only(county_world, client):
    w = county_world
    head = bearer(w.users["head_a"])
    url = "/api/v1/calendar-imports/preview?district_id={}"
    calendar = {"data": HOLIDAYS, "headers": {**head, "Content-Type": "text/calendar"}}
    assert client.post(url.format(w.districts["B"].id), **calendar).status_code == 403
    assert client.post("/api/v1/calendar-imports/preview", **calendar).status_code == 403
    preview = client.post(url.format(w.districts["A"].id), **calendar)
    assert preview.status_code == 200 and preview.get_json()["district_id"] == w.districts["A"].id
    signed = client.post("/api/v1/calendar-imports/preview", data=HOLIDAYS, headers={
        **bearer(w.users["county_coordinator"]), "Content-Type": "text/calendar"}).get_json()["payload"]
    assert client.post("/api/v1/calendar-imports", headers=head, json={"payload": signed}).status_code == 403


def test_a_closed_day_is_headed_closed_and_the_form_asks_where_it_applies(app):
    from flask_babel import force_locale

    from booking.bookings.rules.types import Kind
    from booking.bookings.web.labels import KIND_TITLES
    from booking.schools.forms import ClosureForm

    with app.test_request_context(), force_locale("zh_CN"):
        assert str(KIND_TITLES[Kind.CLOSED]) == "停课"
        assert str(ClosureForm(meta={"csrf": False}).school_id.label.text) == "停课范围"


def test_the_import_is_named_for_what_its_user_may_import(county_world, app, client, login_as):
    login_as(county_world.users["head_b"])
    page = client.get("/admin/calendar-import").get_data(as_text=True)
    assert "<h1>导入停课日</h1>" in page and "导入停课日和学期日期" not in page
    other = app.test_client()
    login(other, county_world.users["county_coordinator"])
    assert "<h1>导入停课日和学期日期</h1>" in other.get("/admin/calendar-import").get_data(as_text=True)
