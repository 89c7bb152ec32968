"""User administration: list, search, filters, pages of 50; add and edit; who may do it."""
import threading

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


# --- scopes: area coordinators, the last district coordinator ------------------------------------

@pytest.fixture
def two_areas(app):
    """上片 (XT01, XT01-03) and 下片 (LZ01-05), the district head and the 上片 area coordinator."""
    return {"upper": factories.school(code="XT01", area="上片"), "village": factories.school(code="XT01-03", area="上片"),
            "lower": factories.school(code="LZ01-05", area="下片"),
            "head": factories.user(role=Role.COORDINATOR, display_name="周建国", email="coordinator@example.cn")}


@pytest.fixture
def area_coordinator(two_areas, login_as):
    user = factories.user(role=Role.COORDINATOR, area="上片", school=two_areas["upper"], display_name="马文华",
                          email="coordinator.shangpian@example.cn")
    login_as(user)
    return user


def test_an_area_coordinator_cannot_demote_or_deactivate_the_district_head(client, two_areas, area_coordinator):
    head = two_areas["head"]
    assert client.get(f"/admin/users/{head.id}").status_code == 404
    response = client.post(f"/admin/users/{head.id}", data=user_data(
        email=head.email, display_name=head.display_name, role="school_admin", school="XT01", password="",
        active=""))
    assert response.status_code == 404
    db.session.expire_all()
    assert head.role == Role.COORDINATOR and head.active and head.area == ""
    assert "周建国" not in client.get("/admin/users/").get_data(as_text=True)


def test_an_area_coordinator_manages_only_the_people_of_their_area(client, two_areas, area_coordinator):
    lower_teacher = factories.user(school=two_areas["lower"], display_name="下片老师")
    upper_teacher = factories.user(school=two_areas["village"], display_name="上片老师")
    listing = client.get("/admin/users/").get_data(as_text=True)
    assert "上片老师" in listing and "下片老师" not in listing
    assert client.post(f"/admin/users/{lower_teacher.id}", data=user_data(
        email=lower_teacher.email, display_name="改名", school="LZ01-05", password="")).status_code == 404
    moved = client.post(f"/admin/users/{upper_teacher.id}", data=user_data(
        email=upper_teacher.email, display_name=upper_teacher.display_name, school="LZ01-05", password=""))
    promoted = client.post(f"/admin/users/{upper_teacher.id}", data=user_data(
        email=upper_teacher.email, display_name=upper_teacher.display_name, role="coordinator", area="",
        password=""))
    created = client.post("/admin/users/new", data=user_data(school="LZ01-05"))
    assert moved.status_code == promoted.status_code == created.status_code == 422
    assert "您只能管理您权限范围内学校的账号" in moved.get_data(as_text=True)
    db.session.expire_all()
    assert upper_teacher.school_id == two_areas["village"].id and upper_teacher.role == Role.TEACHER
    assert db.session.query(User).filter_by(email="li.hua@example.cn").count() == 0
    # Within the area: a new teacher of the village school.
    assert client.post("/admin/users/new", data=user_data(school="XT01-03")).status_code == 302


def test_an_area_coordinator_cannot_widen_their_own_area(client, two_areas, area_coordinator):
    response = client.post(f"/admin/users/{area_coordinator.id}", data=user_data(
        email=area_coordinator.email, display_name=area_coordinator.display_name, role="coordinator",
        school="XT01", area="", password=""))
    assert response.status_code == 422
    db.session.expire_all()
    assert area_coordinator.area == "上片"


def test_the_district_coordinator_limits_a_coordinator_to_an_area_that_exists(client, two_areas, login_as):
    login_as(two_areas["head"])
    form = client.get("/admin/users/new").get_data(as_text=True)
    assert '<option value="上片">上片</option>' in form and '<option value="下片">下片</option>' in form
    assert client.post("/admin/users/new", data=user_data(role="coordinator", area="上片")).status_code == 302
    assert db.session.query(User).filter_by(email="li.hua@example.cn").one().area == "上片"
    nowhere = client.post("/admin/users/new", data=user_data(email="x@example.cn", role="coordinator", area="中片"))
    teacher = client.post("/admin/users/new", data=user_data(email="y@example.cn", school="XT01", area="上片"))
    assert nowhere.status_code == teacher.status_code == 422
    assert "没有学校属于片区 中片" in nowhere.get_data(as_text=True)
    assert "只有协调员可以限定片区" in teacher.get_data(as_text=True)


def test_the_last_district_coordinator_cannot_limit_themself_to_an_area(client, two_areas, login_as):
    head = two_areas["head"]
    login_as(head)
    response = client.post(f"/admin/users/{head.id}", data=user_data(
        email=head.email, display_name=head.display_name, role="coordinator", area="上片", password=""))
    assert response.status_code == 422 and "学区至少需要一名在用的学区协调员" in response.get_data(as_text=True)
    db.session.expire_all()
    assert head.area == ""


def test_two_district_coordinators_removing_each_other_leave_one(app, two_areas):
    """A's request (loaded while A was still a district coordinator) demotes B just after B's request
    deactivated A: the district would be left without a coordinator, so the second change is refused."""
    from booking.accounts import services
    from booking.validation import ValidationFailed

    first, second = two_areas["head"], factories.user(role=Role.COORDINATOR, email="second@example.cn")
    with db.engine.begin() as other_request:
        other_request.execute(db.update(User).where(User.id == first.id).values(active=False))
    demote = services.UserInput(email=second.email, display_name=second.display_name, role="teacher",
                                school_code="XT01")
    with pytest.raises(ValidationFailed) as failed:
        services.update_user_by_admin(second, demote, True, first)
    assert "学区至少需要一名在用的学区协调员" in str(failed.value.errors["role"])
    db.session.expire_all()
    assert second.role == Role.COORDINATOR and second.active


def test_district_coordinators_demoting_each_other_at_the_same_moment_leave_one(app, two_areas):
    """Two requests load their actor while both are district coordinators, then each demotes the other:
    the database lock makes the second wait, count again and refuse."""
    from booking.accounts import services
    from booking.validation import ValidationFailed

    pair = [two_areas["head"].id, factories.user(role=Role.COORDINATOR, email="second@example.cn").id]
    loaded = threading.Barrier(2)
    outcomes: list = [None, None]

    def demote(index: int) -> None:
        with app.app_context():
            try:
                actor, target = db.session.get(User, pair[index]), db.session.get(User, pair[1 - index])
                data = services.UserInput(email=target.email, display_name=target.display_name, role="teacher",
                                          school_code="XT01")
                loaded.wait(timeout=5)
                services.update_user_by_admin(target, data, True, actor)
                db.session.commit()  # the request's unit of work
                outcomes[index] = "changed"
            except ValidationFailed:
                outcomes[index] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["changed", "refused"]
    db.session.expire_all()
    assert db.session.query(User).filter_by(role=Role.COORDINATOR, area="", active=True).count() == 1


def test_the_role_filter_names_the_coordinators_it_finds(client, coordinator):
    """Found: a county coordinator is listed as 县级协调员 while the filter offered only 学区协调员 for them."""
    html = client.get("/admin/users/").get_data(as_text=True)
    assert ">协调员（学区和县级）</option>" in html
    assert client.get("/admin/users/", query_string={"role": "coordinator"}).status_code == 200
