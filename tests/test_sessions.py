"""Sessions end on sign-out and on a password change, old cookies and remember-me cookies included.

A copied cookie stands for a stolen one: it must stop working when its owner signs out.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from booking.accounts.models import ApiToken, User
from booking.accounts.passwords import verify_password
from booking.accounts import services
from booking.accounts.services import hash_token
from booking.config import from_environment
from booking.extensions import db
from tests import factories
from tests.conftest import login


def copy_of(client, app, *names: str):
    """A new client holding only copies of ``client``'s cookies ``names``."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        other.set_cookie(name, cookie.value)
    return other


def is_signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def test_signing_out_ends_copies_of_the_session_cookie(app, client):
    teacher = factories.user()
    login(client, teacher)
    stolen = copy_of(client, app, "session")
    assert is_signed_in(stolen)
    client.post("/logout")
    assert not is_signed_in(client) and not is_signed_in(stolen)


def test_signing_out_revokes_remember_me_cookies(app, client):
    teacher = factories.user()
    client.post("/login", data={"email": teacher.email, "password": "secret-pass", "remember": "y"})
    remembered = copy_of(client, app, "remember_token")
    assert is_signed_in(remembered)  # from the remember-me cookie alone
    later = copy_of(client, app, "remember_token")
    client.post("/logout")
    assert not is_signed_in(later)


def test_the_remember_me_cookie_is_lax_http_only_and_lasts_two_weeks(app, client):
    teacher = factories.user()
    response = client.post("/login", data={"email": teacher.email, "password": "secret-pass", "remember": "y"})
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert "HttpOnly" in header and "SameSite=Lax" in header
    lasts = client.get_cookie("remember_token").expires - datetime.now(timezone.utc)
    assert timedelta(days=13, hours=23) < lasts <= timedelta(days=14)
    production = from_environment({"APP_ENV": "production", "SECRET_KEY": "x"})
    assert production["REMEMBER_COOKIE_SECURE"] and production["SESSION_COOKIE_SECURE"]


def change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post("/profile/password", data={"current_password": current, "new_password": new,
                                                  "confirm_password": confirm or new})


def test_a_password_change_needs_the_current_password(app, client):
    teacher = factories.user()
    login(client, teacher)
    before = teacher.password_hash
    response = change_password(client, "not-my-password", "brand-new-pass")
    assert response.status_code == 422 and "当前密码不正确" in response.get_data(as_text=True)
    assert change_password(client, "secret-pass", "short").status_code == 422
    assert change_password(client, "secret-pass", "brand-new-pass", "brand-new-typo").status_code == 422
    db.session.expire_all()
    assert db.session.get(User, teacher.id).password_hash == before


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client):
    teacher = factories.user()
    other_device = app.test_client()
    login(client, teacher)
    login(other_device, teacher)
    response = change_password(client, "secret-pass", "brand-new-pass")
    assert response.status_code == 302
    assert is_signed_in(client) and not is_signed_in(other_device)
    db.session.expire_all()
    assert verify_password(db.session.get(User, teacher.id).password_hash, "brand-new-pass")
    assert login(app.test_client(), teacher, "secret-pass").status_code == 401


def test_a_new_api_token_is_shown_in_the_answer_and_never_kept_in_the_session(app, client):
    teacher = factories.user()
    login(client, teacher)
    response = client.post("/profile/tokens", data={"name": "脚本"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = db.session.query(ApiToken).one()
    raw = html.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert hash_token(raw) == token.token_hash
    cookie = client.get_cookie("session")
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert raw not in str(session) and raw not in cookie.value


def test_a_password_set_by_the_coordinator_signs_the_user_out(app, client):
    school = factories.school()
    teacher = factories.user(school=school)
    login(client, teacher)
    services.update_user(teacher, services.UserInput(teacher.email, teacher.display_name, "teacher", school.code,
                                                     "given-by-admin-1"), True, None)
    assert not is_signed_in(client)
