"""Signing in with the school directory against a real slapd (tests/sso_ldap_server.py)."""
from __future__ import annotations

import pytest

from booking.accounts.models import Role
from tests import factories
from tests.sso_ldap_server import PEOPLE, READER_DN, READER_PASSWORD, slapd_url  # noqa: F401  (fixture)
from tests.sso_support import audit, configure, links, signed_in_user, user_count


@pytest.fixture
def directory(app, slapd_url):  # noqa: F811
    """The directory on, searched by a service account; 3301020001 is the directory's code of XT01."""
    def _configure(**env):
        return configure(app, **{"SSO_LDAP_URL": slapd_url, "SSO_LDAP_BIND_DN": READER_DN,
                                 "SSO_LDAP_BIND_PASSWORD": READER_PASSWORD, "SSO_LDAP_BASE_DN": PEOPLE,
                                 "SSO_LDAP_DISABLED_FILTER": "(employeeType=disabled)",
                                 "SSO_SCHOOL_CODES": "3301020001=XT01", **env})
    _configure()
    return _configure


@pytest.fixture
def xt01(app):
    return factories.school(code="XT01", name="新天寄宿制小学")


def sign_in(client, username, password, next_url=None):
    path = "/sso/ldap" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"username": username, "password": password})


def test_a_first_sign_in_creates_a_teacher_in_the_school_and_the_second_reuses_the_account(app, directory, xt01):
    first = sign_in(app.test_client(), "wangli", "wang-pass-1", next_url="/profile")
    assert first.status_code == 302 and first.headers["Location"] == "/profile"
    [link] = links("ldap")
    user = link.user
    assert (user.email, user.display_name, user.role, user.school_id, user.staff_number) == \
        ("wang.li@xt.example.cn", "王丽", Role.TEACHER, xt01.id, "T1001")
    assert len(link.subject) == 36  # the entry's entryUUID, not its DN
    again = app.test_client()
    assert sign_in(again, "WangLi", "wang-pass-1").status_code == 302
    assert signed_in_user(again) == user.id and user_count() == 1 and len(links("ldap")) == 1
    assert [entry.details["how"] for entry in audit("user.sso_login")] == ["created", "linked"]


def test_the_directory_sign_in_page_shows_in_both_languages(app, directory, client):
    page = client.get("/login").get_data(as_text=True)
    assert "使用学校目录账号登录" in page and "/sso/ldap" in page
    client.post("/language/en")
    assert "Sign in with the school directory account" in client.get("/sso/ldap").get_data(as_text=True)


@pytest.mark.parametrize("username,password", [("wangli", "wrong"), ("nobody", "wang-pass-1"), ("*", "wang-pass-1"),
                                               ("wangli)(uid=*", "wang-pass-1")])
def test_a_failing_bind_signs_nobody_in(app, directory, xt01, client, username, password):
    answer = sign_in(client, username, password)
    assert answer.status_code == 401 and "用户名或密码错误" in answer.get_data(as_text=True)
    assert signed_in_user(client) is None and user_count() == 0


@pytest.mark.parametrize("username,password", [("zhaoqiang", "zhao-pass-1"), ("sunmei", "sun-pass-1")],
                         ids=["disabled filter", "AD userAccountControl"])
def test_a_disabled_directory_account_is_refused(app, directory, xt01, client, username, password):
    answer = sign_in(client, username, password)
    assert answer.status_code == 403 and "目录账号已停用" in answer.get_data(as_text=True)
    assert signed_in_user(client) is None and user_count() == 0
    assert [entry.details["reason"] for entry in audit("user.sso_refused")] == ["directory_disabled"]


def test_an_enabled_ad_account_signs_in(app, directory, xt01, client):
    assert sign_in(client, "liuyang", "liu-pass-1").status_code == 302 and signed_in_user(client) is not None


def test_a_person_is_matched_by_email_and_keeps_the_role_and_school_the_app_gave(app, directory, xt01, client):
    other = factories.school(code="LZ01")
    admin = factories.user(email="chen.jing@xt.example.cn", role=Role.SCHOOL_ADMIN, school=other)
    assert sign_in(client, "chenjing", "chen-pass-1").status_code == 302
    assert signed_in_user(client) == admin.id and user_count() == 1
    assert (admin.role, admin.school_id) == (Role.SCHOOL_ADMIN, other.id)
    assert [link.user_id for link in links("ldap")] == [admin.id]
    assert audit("user.sso_login")[0].details["how"] == "email"


def test_a_person_is_matched_by_staff_number(app, directory, xt01, client):
    teacher = factories.user(email="wl@old.example.cn", staff_number="T1001", school=xt01)
    assert sign_in(client, "wangli", "wang-pass-1").status_code == 302
    assert signed_in_user(client) == teacher.id and teacher.email == "wl@old.example.cn"
    assert audit("user.sso_login")[0].details["how"] == "staff_number"


def test_an_imported_account_s_initial_password_stops_working_at_its_first_directory_sign_in(app, directory, xt01,
                                                                                            client):
    imported = factories.user(email="wang.li@xt.example.cn", school=xt01, must_change_password=True,
                              password="initial-123")
    assert sign_in(client, "wangli", "wang-pass-1").status_code == 302
    assert client.get("/profile").status_code == 200 and imported.must_change_password is False
    assert app.test_client().post("/login", data={"email": imported.email, "password": "initial-123"}).status_code == 401


def test_a_deactivated_app_account_cannot_sign_in_with_the_directory(app, directory, xt01, client):
    factories.user(email="wang.li@xt.example.cn", active=False, school=xt01)
    answer = sign_in(client, "wangli", "wang-pass-1")
    assert answer.status_code == 403 and signed_in_user(client) is None and links("ldap") == []
    assert audit("user.sso_refused")[0].details["reason"] == "account_inactive"


def test_a_school_the_district_does_not_know_creates_no_account(app, directory, xt01, client):
    directory(SSO_SCHOOL_CODES="")
    answer = sign_in(client, "wangli", "wang-pass-1")
    assert answer.status_code == 403 and "3301020001" in answer.get_data(as_text=True)
    assert user_count() == 0 and audit("user.sso_refused")[0].details["reason"] == "no_school"


def test_without_a_service_account_the_dn_template_names_the_entry(app, directory, xt01):
    directory(SSO_LDAP_BIND_DN="", SSO_LDAP_USER_DN_TEMPLATE=f"uid={{username}},{PEOPLE}")
    assert sign_in(app.test_client(), "wangli", "wang-pass-1").status_code == 302
    assert sign_in(app.test_client(), "zhaoqiang", "zhao-pass-1").status_code == 403
    assert sign_in(app.test_client(), "wangli,ou=x", "wang-pass-1").status_code == 401
    assert user_count() == 1


def test_repeated_wrong_passwords_are_held_up_like_the_password_form(app, directory, xt01, client):
    app.config["LOGIN_MAX_FAILURES"] = 2
    assert [sign_in(client, "wangli", "wrong").status_code for _ in range(3)] == [401, 401, 429]
    assert sign_in(client, "wangli", "wang-pass-1").status_code == 429


def test_an_unreachable_directory_answers_502(app, directory, xt01, client):
    directory(SSO_LDAP_URL="ldap://127.0.0.1:1", SSO_TIMEOUT_SECONDS="2")
    assert sign_in(client, "wangli", "wang-pass-1").status_code == 502 and user_count() == 0


def test_the_directory_form_needs_the_csrf_token(csrf_app, directory, xt01):
    client = csrf_app.test_client()
    assert sign_in(client, "wangli", "wang-pass-1").status_code == 400 and user_count() == 0
