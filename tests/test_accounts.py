from datetime import datetime, timedelta, timezone

from booking import clock
from booking.accounts import services
from booking.accounts.models import ApiToken, LoginThrottle, Role
from booking.extensions import db
from tests import factories


def test_login_page_is_chinese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html and "邮箱" in html and 'lang="zh-CN"' in html


def test_login_then_resources_in_chinese(client, login_as):
    teacher = factories.user()
    factories.resource(owner_school=teacher.school, name="物理实验室")
    login_as(teacher)
    html = client.get("/resources/", follow_redirects=True).get_data(as_text=True)
    assert "物理实验室" in html and "资源" in html


def test_wrong_password_is_refused_with_a_message(client):
    teacher = factories.user()
    response = client.post("/login", data={"email": teacher.email, "password": "wrong-pass"})
    assert response.status_code == 401
    assert "邮箱或密码错误" in response.get_data(as_text=True)


def test_wrong_passwords_slow_the_guesser_down_but_not_the_owner_elsewhere(app):
    clock.freeze(clock.utcnow())  # "Retry-After: 60" holds however long the guesses take on a loaded machine
    teacher = factories.user()
    guesser, owner = app.test_client(), app.test_client()
    guessing = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        guesser.post("/login", data={"email": teacher.email, "password": "wrong-pass"}, environ_base=guessing)
    # From the guesser's address even the right password waits, and the answer says until when …
    refused = guesser.post("/login", data={"email": teacher.email, "password": "secret-pass"}, environ_base=guessing)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "1 分钟后" in refused.get_data(as_text=True)
    # … while the owner at school signs in as usual.
    signed_in = owner.post("/login", data={"email": teacher.email, "password": "secret-pass"},
                           environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert signed_in.status_code == 302
    # The delay over, the right password works from there too and the count is forgotten.
    clock.freeze(clock.utcnow() + timedelta(minutes=1))
    response = guesser.post("/login", data={"email": teacher.email, "password": "secret-pass"}, environ_base=guessing)
    assert response.status_code == 302
    assert db.session.query(LoginThrottle).filter(LoginThrottle.email != "").count() == 0


def test_next_redirects_only_within_the_site(client):
    teacher = factories.user()
    for target, expected in [("/admin/", "/admin/"), ("//evil.example/x", "/"), ("https://evil.example/", "/"),
                             ("/\\evil.example", "/")]:
        client.post("/logout")
        response = client.post(f"/login?next={target}", data={"email": teacher.email, "password": "secret-pass"})
        assert response.status_code == 302
        assert response.headers["Location"] == expected


def test_pages_need_sign_in(client):
    response = client.get("/resources/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_forms_reject_missing_csrf_token(csrf_app):
    teacher = factories.user()
    response = csrf_app.test_client().post("/login", data={"email": teacher.email, "password": "secret-pass"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client):
    teacher = factories.user(active=False)
    assert client.post("/login", data={"email": teacher.email, "password": "secret-pass"}).status_code == 401


def test_passwords_are_hashed_with_scrypt():
    from booking.accounts.passwords import hash_password, verify_password

    hashed = hash_password("correct horse")
    assert hashed.startswith("scrypt:") and "correct horse" not in hashed
    assert verify_password(hashed, "correct horse") and not verify_password(hashed, "wrong")


def test_api_tokens_are_stored_hashed_and_revocable(app):
    teacher = factories.user()
    token, raw = services.issue_token(teacher, "script")
    db.session.commit()  # the boundary's (a token's last use is written on a connection of its own)
    assert raw not in token.token_hash and token.token_hash == services.hash_token(raw)
    assert services.user_for_token(raw) == teacher
    assert services.revoke_token(teacher, token.id)
    assert services.user_for_token(raw) is None


def test_profile_creates_a_token_shown_once(client, login_as):
    teacher = factories.user()
    login_as(teacher)
    first = client.post("/profile/tokens", data={"name": "我的脚本"}).get_data(as_text=True)
    raw = db.session.query(ApiToken).one().prefix
    assert raw in first and 'id="new-token"' in first
    assert 'id="new-token"' not in client.get("/profile").get_data(as_text=True)


def test_the_token_section_links_the_apis_own_description(client, login_as):
    login_as(factories.user())
    page = client.get("/profile").get_data(as_text=True)
    assert 'href="/api/v1/openapi.json"' in page and "API 接口说明" in page
    assert client.get("/api/v1/openapi.json").get_json()["openapi"].startswith("3.")


def test_language_switch_to_english_is_remembered(client, login_as):
    teacher = factories.user()
    login_as(teacher)
    client.post("/language/en", data={"next": "/resources/"})
    assert "Resources" in client.get("/resources/").get_data(as_text=True)
    db.session.refresh(teacher)
    assert teacher.locale == "en"


def test_role_order():
    from booking.accounts.models import User

    coordinator = User(role=Role.COORDINATOR)
    teacher = User(role=Role.TEACHER)
    assert coordinator.has_role(Role.SCHOOL_ADMIN) and not teacher.has_role(Role.SCHOOL_ADMIN)


def test_coordinator_pages_are_forbidden_to_teachers(client, login_as):
    login_as(factories.user())
    assert client.get("/admin/").status_code == 403


def test_times_are_stored_as_utc(app):
    teacher = factories.user()
    beijing = timezone(timedelta(hours=8))
    teacher.last_login_at = datetime(2026, 11, 22, 8, 0, tzinfo=beijing)
    db.session.commit()
    db.session.expire_all()
    assert teacher.last_login_at == datetime(2026, 11, 22, 0, 0, tzinfo=timezone.utc)
