"""Resource administration: the rules (pure), the services, and the pages with their permissions."""
from datetime import time

import pytest

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.resources import services
from booking.resources.models import Resource
from booking.resources.rules import (
    DEFAULT_OPENING_HOURS, HoursSyntaxError, ResourceInput, Window, check_resource_input, format_opening_hours,
    opening_hours_error, parse_opening_hours,
)
from booking.validation import ValidationFailed
from tests import factories

# --- Rules, without an app ------------------------------------------------------------------------


def lab(**changes) -> ResourceInput:
    values = dict(kind="facility", category="lab", subject="physics", name="物理实验室", owner_school_id=1,
                  capacity=48)
    values.update(changes)
    return ResourceInput(**values)


def test_a_complete_lab_passes_the_rules():
    assert check_resource_input(lab()) == {}


def test_category_must_belong_to_the_kind():
    errors = check_resource_input(lab(kind="equipment", stock=3))
    assert set(errors) == {"category"} and "equipment_kit" in str(errors["category"])


@pytest.mark.parametrize("changes, field", [
    ({"subject": ""}, "subject"),
    ({"subject": "music"}, "subject"),
    ({"name": "  "}, "name"),
    ({"owner_school_id": None}, "owner_school_id"),
    ({"capacity": None}, "capacity"),
    ({"capacity": 0}, "capacity"),
    ({"stock": 4}, "stock"),
    ({"min_duration_minutes": 0}, "min_duration_minutes"),
    ({"min_duration_minutes": 90, "max_duration_minutes": 45}, "max_duration_minutes"),
    ({"max_advance_days": -1}, "max_advance_days"),
    ({"sharing": "everyone"}, "sharing"),
    ({"kind": "room"}, "kind"),
])
def test_each_bad_field_is_named(changes, field):
    assert set(check_resource_input(lab(**changes))) == {field}


def test_equipment_needs_stock_and_visiting_teachers_a_subject_but_no_capacity():
    kit = dict(kind="equipment", category="equipment_kit", subject="", capacity=None)
    assert set(check_resource_input(lab(**kit, stock=None))) == {"stock"}
    assert check_resource_input(lab(**kit, stock=12)) == {}
    teacher = dict(kind="teacher", category="visiting_teacher", capacity=None)
    assert set(check_resource_input(lab(**teacher, subject=""))) == {"subject"}
    assert check_resource_input(lab(**teacher, subject="music")) == {}


def test_opening_windows_of_a_day_may_touch_but_not_overlap():
    touching = [Window(1, time(8), time(12)), Window(1, time(12), time(17))]
    assert opening_hours_error(touching) is None
    overlapping = [Window(1, time(8), time(12)), Window(1, time(11), time(17)), Window(2, time(8), time(9))]
    assert str(opening_hours_error(overlapping)) == "Tuesday: 08:00–12:00 overlaps 11:00–17:00."
    assert "closing time" in str(opening_hours_error([Window(0, time(9), time(9))]))
    assert "both" in str(opening_hours_error([Window(0, time(9), None)]))
    assert "day" in str(opening_hours_error([Window(None, time(9), time(10))]))
    assert set(check_resource_input(lab(opening_hours=overlapping))) == {"opening_hours"}


def test_opening_hours_text_reads_back_what_it_writes():
    windows = parse_opening_hours("1-5 08:00-12:00，14:00-17:30； 6 9:00-11:30")
    assert len(windows) == 11 and windows[-1] == Window(5, time(9), time(11, 30))
    assert format_opening_hours(windows) == "1-5 08:00-12:00,14:00-17:30; 6 09:00-11:30"
    assert format_opening_hours(DEFAULT_OPENING_HOURS) == "1-5 08:00-17:00"
    assert parse_opening_hours("") == []


@pytest.mark.parametrize("text", ["Mon 08:00-17:00", "1-5", "5-1 08:00-09:00", "8 08:00-09:00", "1 8-9", "1 25:00-26:00"])
def test_unreadable_opening_hours_say_the_format(text):
    with pytest.raises(HoursSyntaxError, match="1 = Monday"):
        parse_opening_hours(text)


# --- Services ---------------------------------------------------------------------------------------


def test_create_update_archive_are_audited(app):
    school = factories.school()
    coordinator = factories.user(role=Role.COORDINATOR)
    resource = services.create_resource(lab(owner_school_id=school.id), coordinator)
    assert resource.stock == 1 and format_opening_hours(resource.opening_hours) == "1-5 08:00-17:00"
    services.update_resource(resource, lab(owner_school_id=school.id, capacity=30,
                                           opening_hours=[Window(5, time(9), time(12))]), coordinator)
    services.set_resource_active(resource, False, coordinator)
    entries = db.session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert [e.action for e in entries] == ["resource.create", "resource.update", "resource.archive"]
    assert entries[1].details["changes"] == {"capacity": [48, 30], "opening_hours": ["1-5 08:00-17:00", "6 09:00-12:00"]}
    db.session.expire_all()
    assert not resource.active and [(h.weekday, h.opens) for h in resource.opening_hours] == [(5, time(9))]


def test_invalid_input_writes_nothing(app):
    school = factories.school()
    with pytest.raises(ValidationFailed) as failed:
        services.create_resource(lab(owner_school_id=school.id, category="gym", kind="teacher"), None)
    assert "category" in failed.value.errors
    with pytest.raises(ValidationFailed) as failed:
        services.create_resource(lab(owner_school_id=999_999), None)
    assert set(failed.value.errors) == {"owner_school_id"}
    db.session.rollback()
    assert db.session.query(Resource).count() == 0 and db.session.query(AuditEntry).count() == 0


# --- Pages ------------------------------------------------------------------------------------------


def form_data(school_id: int, hours=(("0", "08:00", "17:00"),), **changes) -> dict:
    data = {"kind": "facility", "category": "lab", "subject": "chemistry", "name": "化学实验室",
            "owner_school_id": str(school_id), "location": "实验楼二楼", "description": "", "capacity": "40",
            "stock": "1", "sharing": "district", "min_duration_minutes": "40", "max_duration_minutes": "120",
            "max_advance_days": "30"}
    rows = list(hours) + [("", "", "")] * 2
    for index, (weekday, opens, closes) in enumerate(rows):
        data.update({f"opening_hours-{index}-weekday": weekday, f"opening_hours-{index}-opens": opens,
                     f"opening_hours-{index}-closes": closes})
    data.update(changes)
    return data


def test_new_resource_form_starts_with_weekday_hours(client, login_as):
    login_as(factories.user(role=Role.COORDINATOR))
    html = client.get("/resources/new").get_data(as_text=True)
    assert html.count('value="08:00"') == 5 and html.count('value="17:00"') == 5
    assert "开放时间" in html and "添加资源" in html


def test_coordinator_adds_a_resource_through_the_form(client, login_as):
    school = factories.school(name="新天寄宿制小学")
    login_as(factories.user(role=Role.COORDINATOR))
    response = client.post("/resources/new", data=form_data(school.id, hours=[("0", "08:00", "12:00"),
                                                                                ("0", "14:00", "17:00")]))
    assert response.status_code == 302
    resource = db.session.query(Resource).one()
    assert resource.name == "化学实验室" and resource.owner_school_id == school.id
    assert format_opening_hours(resource.opening_hours) == "1 08:00-12:00,14:00-17:00"
    listing = client.get("/resources/manage").get_data(as_text=True)
    assert "化学实验室" in listing and "新天寄宿制小学" in listing


@pytest.mark.parametrize("changes, hours, message", [
    ({"kind": "equipment", "stock": "5"}, (("0", "08:00", "17:00"),), "equipment_kit"),
    ({}, (("1", "08:00", "12:00"), ("1", "11:00", "13:00")), "08:00–12:00"),
    ({"min_duration_minutes": "90", "max_duration_minutes": "45"}, (("0", "08:00", "17:00"),), "最长"),
    ({"capacity": "-3"}, (("0", "08:00", "17:00"),), "容量"),
    ({"capacity": "many"}, (("0", "08:00", "17:00"),), "capacity"),
])
def test_bad_form_input_is_shown_and_nothing_saved(client, login_as, changes, hours, message):
    school = factories.school()
    login_as(factories.user(role=Role.COORDINATOR))
    response = client.post("/resources/new", data=form_data(school.id, hours=hours, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html or 'id="capacity-error"' in html
    assert db.session.query(Resource).count() == 0


def test_edit_and_archive_from_the_pages(client, login_as):
    resource = factories.resource(name="旧名字")
    login_as(factories.user(role=Role.COORDINATOR))
    page = client.get(f"/resources/{resource.id}/edit").get_data(as_text=True)
    assert 'value="旧名字"' in page and page.count('value="08:00"') == 5
    response = client.post(f"/resources/{resource.id}/edit",
                           data=form_data(resource.owner_school_id, name="新名字"))
    assert response.status_code == 302
    asked = client.post(f"/resources/{resource.id}/active", data={"active": "0"})
    assert asked.status_code == 200 and "归档 新名字" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert resource.active
    client.post(f"/resources/{resource.id}/active", data={"active": "0", "confirmed": "1"})
    db.session.expire_all()
    assert resource.name == "新名字" and not resource.active
    assert "已归档" in client.get("/resources/manage").get_data(as_text=True)


def test_teachers_cannot_manage_resources(client, login_as):
    teacher = factories.user()
    resource = factories.resource(owner_school=teacher.school)
    login_as(teacher)
    assert client.get("/resources/manage").status_code == 403
    assert client.get("/resources/new").status_code == 403
    assert client.post(f"/resources/{resource.id}/active", data={"active": "0"}).status_code == 403
    assert "编辑" not in client.get(f"/resources/{resource.id}").get_data(as_text=True)


def test_school_admins_manage_only_their_own_school(client, login_as):
    admin = factories.user(role=Role.SCHOOL_ADMIN)
    own = factories.resource(owner_school=admin.school, name="本校体育馆", active=False)
    other = factories.resource(name="外校实验室")
    login_as(admin)
    listing = client.get("/resources/manage").get_data(as_text=True)
    assert "本校体育馆" in listing and "外校实验室" not in listing
    assert f"/resources/{own.id}/edit" in client.get(f"/resources/{own.id}").get_data(as_text=True)
    assert client.get(f"/resources/{other.id}/edit").status_code == 403
    assert client.post(f"/resources/{other.id}/active", data={"active": "0"}).status_code == 403
    # Another school is not among the choices, so a forged value is refused and nothing is saved.
    response = client.post("/resources/new", data=form_data(other.owner_school_id))
    assert response.status_code == 422
    assert client.post("/resources/new", data=form_data(admin.school_id)).status_code == 302
    assert db.session.query(Resource).filter_by(owner_school_id=other.owner_school_id).count() == 1
