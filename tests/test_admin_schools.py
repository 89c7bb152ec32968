"""The coordinator's pages for schools, travel times and bell schedules (in Chinese, as shipped)."""
from datetime import time

import pytest

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.schools.models import BellPeriod, School, TravelTime
from tests import factories

SCHOOL_FORM = dict(code="XT01", name="新天寄宿制小学", stage="primary", enrollment="860", area="上片",
                   address="新天镇", lead_school_code="")


@pytest.fixture
def coordinator(login_as):
    user = factories.user(role=Role.COORDINATOR)
    login_as(user)
    return user


def audit_actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def school_count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(School))


@pytest.mark.parametrize("url", ["/admin/schools", "/admin/schools/new", "/admin/travel", "/admin/terms",
                                 "/admin/closures"])
def test_pages_are_for_coordinators_only(client, login_as, url):
    assert "/login" in client.get(url).headers["Location"]
    login_as(factories.user(role=Role.SCHOOL_ADMIN))
    assert client.get(url).status_code == 403


def test_add_school_then_see_it_grouped_under_its_lead(client, coordinator):
    lead = factories.school(code="LEAD", name="李寨寄宿制小学", is_lead=True)
    response = client.post("/admin/schools/new", data={**SCHOOL_FORM, "lead_school_code": "LEAD"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "学校已添加" in html
    assert "龙头学校 李寨寄宿制小学 及其结对学校" in html and "新天寄宿制小学" in html
    school = db.session.scalar(db.select(School).where(School.code == "XT01"))
    assert school.lead_school_id == lead.id and school.enrollment == 860
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "school.create"))
    assert entry.actor_id == coordinator.id


@pytest.mark.parametrize("field, value, message", [
    ("enrollment", "-5", "在校学生数请填写 0 到"),
    ("enrollment", "abc", "在校学生数请填写 0 到"),
    ("code", "", "请填写学校代码"),
    ("lead_school_code", "NOPE", "NOPE"),
    ("stage", "college", "请选择学段"),
])
def test_bad_school_input_shows_the_field_error_and_saves_nothing(client, coordinator, field, value, message):
    response = client.post("/admin/schools/new", data={**SCHOOL_FORM, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert school_count() == 0


def test_edit_school_and_keep_its_own_code(client, coordinator):
    school = factories.school(code="XT01")
    response = client.get(f"/admin/schools/{school.id}")
    assert 'value="XT01"' in response.get_data(as_text=True)
    response = client.post(f"/admin/schools/{school.id}", data={**SCHOOL_FORM, "enrollment": "99"})
    assert response.status_code == 302
    db.session.expire_all()
    assert school.enrollment == 99 and school.address == "新天镇"


def test_deactivate_and_reactivate_a_school(client, coordinator):
    school = factories.school()
    client.post(f"/admin/schools/{school.id}/active", data={"active": "0", "confirmed": "1"})
    db.session.expire_all()
    assert not school.active
    html = client.get("/admin/schools").get_data(as_text=True)
    assert "已停用" in html
    client.post(f"/admin/schools/{school.id}/active", data={"active": "1"})
    db.session.expire_all()
    assert school.active and school_count() == 1


def test_a_lead_with_tied_schools_cannot_be_deactivated(client, coordinator):
    lead = factories.school(is_lead=True, name="龙头小学")
    factories.school(lead_school_id=lead.id)
    html = client.post(f"/admin/schools/{lead.id}/active", data={"active": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert "仍有学校与 龙头小学 结对" in html
    db.session.expire_all()
    assert lead.active


def test_travel_matrix_saves_every_pair(client, coordinator):
    a, b, c = factories.school(), factories.school(), factories.school()
    factories.school(active=False)  # not in the matrix
    html = client.get("/admin/travel").get_data(as_text=True)
    assert html.count('class="minutes"') == 3
    data = {f"travel-{a.id}-{b.id}": "10", f"travel-{a.id}-{c.id}": "25", f"travel-{b.id}-{c.id}": "0"}
    response = client.post("/admin/travel", data=data, follow_redirects=True)
    assert "路程时间已保存" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(TravelTime)) == 3


@pytest.mark.parametrize("bad", ["", "-5", "abc", "601"])
def test_travel_matrix_is_all_or_nothing(client, coordinator, bad):
    a, b, c = factories.school(name="甲校"), factories.school(name="乙校"), factories.school(name="丙校")
    data = {f"travel-{a.id}-{b.id}": "10", f"travel-{a.id}-{c.id}": bad, f"travel-{b.id}-{c.id}": "5"}
    response = client.post("/admin/travel", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写 甲校 与 丙校 之间的路程时间" in html and f'id="travel-{a.id}-{c.id}-error"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(TravelTime)) == 0


def test_a_schools_travel_row_is_edited_on_its_page(client, coordinator):
    a, b, c = factories.school(), factories.school(name="乙校"), factories.school()
    factories.travel(b, c, 40)  # not on a's row, left alone
    response = client.post(f"/admin/schools/{a.id}/travel", data={f"travel-{a.id}-{b.id}": "-1"})
    assert response.status_code == 422 and "乙校" in response.get_data(as_text=True)
    data = {f"travel-{a.id}-{b.id}": "12", f"travel-{a.id}-{c.id}": "8"}
    assert client.post(f"/admin/schools/{a.id}/travel", data=data).status_code == 302
    assert client.get(f"/admin/schools/{a.id}").get_data(as_text=True).count('value="12"') == 1
    rows = db.session.execute(db.select(TravelTime.minutes).order_by(TravelTime.minutes)).scalars().all()
    assert rows == [8, 12, 40]


def bell_form(*rows) -> dict:
    data = {}
    for i, (start, end) in enumerate(rows):
        data.update({f"periods-{i}-start": start, f"periods-{i}-end": end})
    return data


def test_bell_schedule_is_replaced_from_the_form(client, coordinator):
    school = factories.school()
    html = client.get(f"/admin/schools/{school.id}/bells").get_data(as_text=True)
    assert 'name="periods-5-start"' in html and 'name="periods-8-start"' in html  # six periods, three blank rows
    # The cleared second row removes that period: the third becomes 第2节.
    data = bell_form(("08:00", "08:40"), ("", ""), ("08:50", "09:30"))
    response = client.post(f"/admin/schools/{school.id}/bells", data=data, follow_redirects=True)
    assert "作息时间表已保存" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [(p.number, p.end_time) for p in school.bell_periods] == [(1, time(8, 40)), (2, time(9, 30))]
    assert audit_actions() == ["bells.replace"]


@pytest.mark.parametrize("rows, field, message", [
    ((("08:40", "08:00"),), "periods-0-end", "下课时间必须晚于上课时间"),
    ((("08:00", "08:45"), ("", ""), ("08:40", "09:20")), "periods-0-end", "第1节须在下一节开始前下课"),
    ((("08:00", "08:40"), ("08:50", "")), "periods-1-end", "请填写下课时间"),
    ((("8点", "08:40"),), "periods-0-start", "请填写上课时间"),
])
def test_bad_bell_schedule_shows_the_row_error_and_keeps_the_old_one(client, coordinator, rows, field, message):
    school = factories.school()
    response = client.post(f"/admin/schools/{school.id}/bells", data=bell_form(*rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error"' in html and message in html
    assert len(db.session.scalars(db.select(BellPeriod).where(BellPeriod.school_id == school.id)).all()) == 6


def test_empty_bell_schedule_is_refused(client, coordinator):
    school = factories.school()
    response = client.post(f"/admin/schools/{school.id}/bells", data=bell_form(("", "")))
    assert response.status_code == 422 and "请至少填写一节课" in response.get_data(as_text=True)


def test_copy_another_schools_schedule_into_the_form(client, coordinator):
    source = factories.school(name="来源小学")
    target = factories.school(bells=False)
    html = client.get(f"/admin/schools/{target.id}/bells?copy_from={source.id}").get_data(as_text=True)
    assert "已从 来源小学 复制" in html and 'value="08:00"' in html
    assert not target.bell_periods  # only saved when the coordinator submits the form


def test_admin_forms_need_the_csrf_token(csrf_app, login_as):
    client = csrf_app.test_client()
    user = factories.user(role=Role.COORDINATOR)
    client.post("/login", data={"email": user.email, "password": "secret-pass"})
    assert client.post("/admin/schools/new", data=SCHOOL_FORM).status_code == 400
    assert school_count() == 0


# --- an area coordinator (包片负责人) --------------------------------------------------------------

@pytest.fixture
def area_coordinator(login_as):
    user = factories.user(role=Role.COORDINATOR, area="上片", school=factories.school(code="XT01", area="上片"))
    login_as(user)
    return user


# An area coordinator closes their area's schools (tests/test_closure_hits.py), not the whole district.
@pytest.mark.parametrize("url", ["/admin/terms", "/admin/terms/new"])
def test_district_wide_pages_are_for_district_coordinators_only(client, area_coordinator, url):
    assert client.get(url).status_code == 403


def test_an_area_coordinator_imports_closures_into_their_schools_only(client, area_coordinator):
    page = client.get("/admin/calendar-import").get_data(as_text=True)
    own = db.session.get(School, area_coordinator.school_id)
    assert f'<option value="{own.id}"' in page
    assert '<option value=""' not in page and 'value="terms"' not in page


def test_an_area_coordinator_keeps_schools_in_their_area(client, area_coordinator):
    own = factories.school(code="XT01-03", area="上片")
    lower_lead = factories.school(code="LZ01", area="下片", is_lead=True)
    moved = client.post(f"/admin/schools/{own.id}", data={**SCHOOL_FORM, "code": "XT01-03", "area": "下片"})
    added = client.post("/admin/schools/new", data={**SCHOOL_FORM, "code": "LZ01-09", "area": "下片"})
    tied = client.post("/admin/schools/new", data={**SCHOOL_FORM, "code": "XT01-09", "lead_school_code": "LZ01"})
    assert moved.status_code == added.status_code == tied.status_code == 422
    assert "您只能管理片区 上片 的学校" in moved.get_data(as_text=True)
    db.session.expire_all()
    assert own.area == "上片" and school_count() == 3
    assert client.post(f"/admin/schools/{lower_lead.id}/active", data={"active": "0"}).status_code == 404
    assert 'value="上片"' in client.get("/admin/schools/new").get_data(as_text=True)  # new schools: their area
    assert client.post("/admin/schools/new", data={**SCHOOL_FORM, "code": "XT01-09"}).status_code == 302
    db.session.expire_all()
    assert lower_lead.active
