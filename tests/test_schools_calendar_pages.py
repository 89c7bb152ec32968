"""The coordinator's pages for terms and closures (in Chinese, as shipped)."""
from datetime import date

import pytest

from booking import clock
from booking.accounts.models import Role
from booking.extensions import db
from booking.schools.models import Closure, Term
from tests import factories


@pytest.fixture
def coordinator(login_as):
    user = factories.user(role=Role.COORDINATOR)
    login_as(user)
    return user


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_add_and_edit_a_term(client, coordinator):
    data = {"name": "2026—2027学年第一学期", "start_date": "2026-09-01", "end_date": "2027-01-22"}
    html = client.post("/admin/terms/new", data=data, follow_redirects=True).get_data(as_text=True)
    assert "学期已添加" in html and "2026—2027学年第一学期" in html and "2026年9月1日" in html
    term = db.session.scalar(db.select(Term))
    assert 'value="2026-09-01"' in client.get(f"/admin/terms/{term.id}").get_data(as_text=True)
    response = client.post(f"/admin/terms/{term.id}", data={**data, "end_date": "2027-01-20"})
    assert response.status_code == 302
    db.session.expire_all()
    assert term.end_date == date(2027, 1, 20)


@pytest.mark.parametrize("data, field, message", [
    ({"name": "第一学期", "start_date": "2026-09-01", "end_date": "2026-08-01"}, "end_date", "结束日期不能早于开始日期"),
    ({"name": "", "start_date": "2026-09-01", "end_date": "2026-12-01"}, "name", "请填写学期名称"),
    ({"name": "第一学期", "start_date": "九月", "end_date": "2026-12-01"}, "start_date", "请填写开始日期"),
    ({"name": "第一学期", "start_date": "2027-01-01", "end_date": "2027-03-01"}, "start_date", "与学期 旧学期"),
])
def test_bad_term_shows_the_field_error_and_saves_nothing(client, coordinator, data, field, message):
    factories.term(name="旧学期", start_date=date(2026, 12, 20), end_date=date(2027, 1, 22))
    response = client.post("/admin/terms/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error"' in html and message in html
    assert count(Term) == 1


def test_add_a_school_closure_and_filter_the_list(client, coordinator):
    clock.freeze(clock.utcnow().replace(year=2026, month=9, day=20, hour=4))
    school, other = factories.school(name="新天小学"), factories.school(name="李寨小学")
    factories.closure(reason="国庆节")  # district-wide
    factories.closure(school_id=other.id, reason="李寨运动会", start_date=date(2026, 11, 3), end_date=date(2026, 11, 3))
    data = {"school_id": str(school.id), "start_date": "2026-10-15", "end_date": "2026-10-16", "reason": "新天运动会"}
    html = client.post("/admin/closures/new", data=data, follow_redirects=True).get_data(as_text=True)
    assert "停课日已添加" in html and "新天运动会" in html and "全学区" in html
    assert html.index("国庆节") < html.index("新天运动会") < html.index("李寨运动会")  # soonest first
    filtered = client.get(f"/admin/closures?school={school.id}").get_data(as_text=True)
    assert "新天运动会" in filtered and "国庆节" in filtered and "李寨运动会" not in filtered


@pytest.mark.parametrize("data, field", [
    ({"school_id": "", "start_date": "2026-10-07", "end_date": "2026-10-01", "reason": "国庆节"}, "end_date"),
    ({"school_id": "", "start_date": "2026-10-01", "end_date": "2026-10-07", "reason": ""}, "reason"),
    ({"school_id": "9999", "start_date": "2026-10-01", "end_date": "2026-10-07", "reason": "国庆节"}, "school_id"),
])
def test_bad_closure_shows_the_field_error_and_saves_nothing(client, coordinator, data, field):
    response = client.post("/admin/closures/new", data=data)
    assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True)
    assert count(Closure) == 0


def test_edit_and_delete_a_closure(client, coordinator):
    school = factories.school()
    closure = factories.closure(school_id=school.id)
    html = client.get(f"/admin/closures/{closure.id}").get_data(as_text=True)
    assert f'<option selected value="{school.id}">' in html or f'value="{school.id}" selected' in html
    data = {"school_id": "", "start_date": "2026-10-01", "end_date": "2026-10-08", "reason": "国庆节"}
    assert client.post(f"/admin/closures/{closure.id}", data=data).status_code == 302
    db.session.expire_all()
    assert closure.school_id is None and closure.end_date == date(2026, 10, 8)
    listing = client.get("/admin/closures").get_data(as_text=True)
    assert f'action="/admin/closures/{closure.id}/delete"' in listing and 'aria-label="删除停课日：国庆节"' in listing
    asked = client.post(f"/admin/closures/{closure.id}/delete").get_data(as_text=True)
    assert "国庆节" in asked and 'name="confirmed" value="1"' in asked and count(Closure) == 1
    html = client.post(f"/admin/closures/{closure.id}/delete", data={"confirmed": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "停课日已删除" in html and count(Closure) == 0


def test_missing_records_are_404(client, coordinator):
    for url in ["/admin/terms/999", "/admin/closures/999", "/admin/schools/999", "/admin/schools/999/bells"]:
        assert client.get(url).status_code == 404
