"""User administration: list, search, filters, pages of 50; add and edit; who may do it."""
import pytest

from booking.accounts.models import Role, User
from booking.accounts.passwords import verify_password
from booking.audit.models import AuditEntry
from booking.extensions import db
from tests import factories


@pytest.fixture
def coordinator(login_as):
    user = factories.user(role=Role.COORDINATOR, display_name="学区协调员甲", email="coord@example.cn")
    login_as(user)
    return user


def user_data(**changes) -> dict:
    data = {"email": "li.hua@example.cn", "display_name": "李华", "role": "teacher", "school": "",
            "locale": "zh_CN", "password": "chushi-mima-1", "active": "y"}
    data.update(changes)
    return data


def test_coordinator_adds_a_user_and_sees_them_listed(client, coordinator):
    school = factories.school(code="XT01", name="新天寄宿制小学")
    response = client.post("/admin/users/new", data=user_data(school="XT01", email="Li.Hua@Example.cn"))
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="li.hua@example.cn").one()
    assert user.school_id == school.id and user.role == Role.TEACHER and verify_password(user.password_hash,
                                                                                          "chushi-mima-1")
    assert db.session.query(AuditEntry).filter_by(action="user.create").one().actor_id == coordinator.id
    html = client.get("/admin/users/").get_data(as_text=True)
    assert "李华" in html and "新天寄宿制小学" in html and "教师" in html


@pytest.mark.parametrize("changes, field, message", [
    ({"email": "coord@example.cn"}, "email", "已有用户"),
    ({"school": "NOPE"}, "school", "NOPE"),
    ({"school": ""}, "school", "学校"),
    ({"password": "short"}, "password", "8"),
    ({"display_name": " "}, "display_name", "姓名"),
])
def test_bad_user_input_is_named_and_nothing_saved(client, coordinator, changes, field, message):
    factories.school(code="XT01")
    data = user_data(school="XT01")
    data.update(changes)
    response = client.post("/admin/users/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error_start = html.index(f'id="{field}-error"')
    assert message in html[error_start:error_start + 200]
    assert db.session.query(User).count() == 1  # only the coordinator


def test_edit_changes_role_school_language_and_keeps_a_blank_password(client, coordinator):
    teacher = factories.user()
    other_school = factories.school(code="XT09")
    old_hash = teacher.password_hash
    response = client.post(f"/admin/users/{teacher.id}", data=user_data(
        email=teacher.email, display_name="赵老师", role="school_admin", school="XT09", locale="en", password=""))
    assert response.status_code == 302
    db.session.expire_all()
    assert (teacher.display_name, teacher.role, teacher.school_id, teacher.locale) == (
        "赵老师", Role.SCHOOL_ADMIN, other_school.id, "en")
    assert teacher.password_hash == old_hash and teacher.active


def test_edit_sets_a_new_password_and_deactivates(client, coordinator):
    teacher = factories.user()
    data = user_data(email=teacher.email, school=teacher.school.code, password="neue-passwort-9")
    del data["active"]  # an unticked checkbox is not sent
    assert client.post(f"/admin/users/{teacher.id}", data=data).status_code == 302
    db.session.expire_all()
    assert not teacher.active and verify_password(teacher.password_hash, "neue-passwort-9")


def test_coordinator_cannot_demote_or_deactivate_themself(client, coordinator):
    data = user_data(email=coordinator.email, display_name=coordinator.display_name, role="teacher",
                     school="", password="")
    del data["active"]
    response = client.post(f"/admin/users/{coordinator.id}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "不能停用自己的账号" in html and "不能取消自己的学区协调员角色" in html
    db.session.expire_all()
    assert coordinator.active and coordinator.role == Role.COORDINATOR


def test_edit_page_shows_the_user(client, coordinator):
    teacher = factories.user(display_name="孙老师")
    html = client.get(f"/admin/users/{teacher.id}").get_data(as_text=True)
    assert 'value="孙老师"' in html and f'selected value="{teacher.school.code}"' in html
    assert client.get("/admin/users/999999").status_code == 404


def test_list_searches_filters_and_pages(client, coordinator):
    first, second = factories.school(name="一小"), factories.school(name="二小")
    for n in range(55):
        factories.user(school=first, display_name=f"甲老师{n:02d}", email=f"jia{n:02d}@example.cn")
    factories.user(school=second, role=Role.SCHOOL_ADMIN, display_name="乙校长", email="yi@example.cn")
    page_one = client.get("/admin/users/").get_data(as_text=True)
    assert "共 57 位用户" in page_one and "第 1 页，共 2 页" in page_one and "下一页" in page_one
    page_two = client.get("/admin/users/?page=2").get_data(as_text=True)
    assert "第 2 页，共 2 页" in page_two and "上一页" in page_two
    assert "乙校长" in client.get("/admin/users/?q=YI@").get_data(as_text=True)
    by_name = client.get("/admin/users/?q=甲老师0").get_data(as_text=True)
    assert "共 10 位用户" in by_name
    by_school = client.get(f"/admin/users/?school={second.id}").get_data(as_text=True)
    assert "共 1 位用户" in by_school and "乙校长" in by_school
    by_role = client.get("/admin/users/?role=school_admin&q=乙").get_data(as_text=True)
    assert "共 1 位用户" in by_role
    # The filters survive paging.
    assert 'href="/admin/users/?page=2"' in page_one
    filtered = client.get(f"/admin/users/?school={first.id}").get_data(as_text=True)
    assert f'href="/admin/users/?page=2&amp;school={first.id}"' in filtered


def test_only_coordinators_manage_users(client, login_as):
    login_as(factories.user(role=Role.SCHOOL_ADMIN))
    assert client.get("/admin/users/").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.post("/admin/users/new", data=user_data()).status_code == 403


def test_admin_forms_refuse_posts_without_the_csrf_token(csrf_app):
    client = csrf_app.test_client()
    coordinator = factories.user(role=Role.COORDINATOR)
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": coordinator.email, "password": "secret-pass", "csrf_token": token})
    for url in ("/admin/users/new", "/resources/new", "/admin/import/users"):
        response = client.post(url, data=user_data())
        assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 1
