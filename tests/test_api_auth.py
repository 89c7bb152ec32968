"""Who may call the API, and the JSON errors it answers with (never an HTML page, never a bare 500)."""
import pytest
from flask import g, request
from flask_login import login_user

from booking.accounts import services
from booking.accounts.models import Role
from booking.api import authenticate, invalid_input, role_refusal
from booking.api.openapi import Operation
from booking.extensions import db
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed
from tests import factories
from tests.api_support import assert_documented, bearer, get_json


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == code and body["message"] and isinstance(body["fields"], dict)
    return body


def test_me_without_a_token_is_401_json(client):
    response = client.get("/api/v1/me")
    body = assert_error(response, 401, "unauthorized")
    assert "Bearer" in body["message"] and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_and_revoked_tokens_are_401(client):
    teacher = factories.user()
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer dst_not-a-token"}), 401, "unauthorized")
    token, raw = services.issue_token(teacher, "script")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    services.revoke_token(teacher, token.id)
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}), 401, "unauthorized")


def test_token_of_a_deactivated_user_is_401(client):
    teacher = factories.user()
    headers = bearer(teacher)
    teacher.active = False
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_token_returns_its_user(client):
    teacher = factories.user(display_name="王老师")
    body = get_json(client, "/api/v1/me", teacher)
    assert body["email"] == teacher.email and body["display_name"] == "王老师"
    assert body["role"] == "teacher" and body["school"]["code"] == teacher.school.code
    assert_documented(client, body, "/me")


def test_session_cookie_is_enough_for_reads(client, login_as):
    teacher = factories.user()
    login_as(teacher)
    assert get_json(client, "/api/v1/me")["id"] == teacher.id
    assert client.head("/api/v1/me").status_code == 200


def test_session_cookie_is_not_enough_for_writes(app):
    # No write endpoint exists yet; the rule is checked on the hook every API route passes through.
    teacher = factories.user()
    with app.test_request_context("/api/v1/me", method="POST"):
        login_user(teacher)
        assert_error(authenticate(), 401, "unauthorized")
    with app.test_request_context("/api/v1/me", method="GET"):
        login_user(teacher)
        assert authenticate() is None and g.api_user == teacher


def test_role_refusal_is_403_json(app):
    coordinators_only = Operation("Coordinators only", response={"type": "object"}, role=Role.COORDINATOR)
    with app.test_request_context("/api/v1/reports"):
        body = assert_error(role_refusal(factories.user(role=Role.SCHOOL_ADMIN), coordinators_only), 403, "forbidden")
        assert "coordinator" in body["message"]
        assert role_refusal(factories.user(role=Role.COORDINATOR), coordinators_only) is None
        assert role_refusal(factories.user(), Operation("Anyone", response={})) is None


def test_unknown_api_path_is_404_json(client):
    assert_error(client.get("/api/v1/nope"), 404, "not_found")
    assert_error(client.get("/api/v1/resources/not-a-number", headers=bearer(factories.user())), 404, "not_found")


def test_wrong_method_is_405_json_with_allow(client):
    response = client.post("/api/v1/me", headers=bearer(factories.user()))
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_error_messages_are_english_even_for_chinese_users(client):
    teacher = factories.user(locale="zh_CN")
    body = get_json(client, "/api/v1/resources?kind=lab", teacher, status=422)
    assert body["message"] == "Some fields are not valid." and "kind" in body["fields"]


def test_service_field_errors_come_out_in_english(app):
    # Services write their messages with lazy_gettext; the API renders them in English, not zh_CN.
    with app.test_request_context("/api/v1/me"):
        response = invalid_input(ValidationFailed({"email": _l("A user with this email already exists.")}))
        body = assert_error(response, 422, "invalid")
    assert body["fields"] == {"email": "A user with this email already exists."}


@pytest.mark.own_app
def test_too_large_body_is_413_json(app, client):
    def upload():
        return request.get_data(as_text=True)

    app.config["MAX_CONTENT_LENGTH"] = 10
    app.add_url_rule("/api/v1/_upload_probe", "upload_probe", upload, methods=["POST"])
    assert_error(client.post("/api/v1/_upload_probe", data="x" * 100), 413, "too_large")


@pytest.mark.own_app
def test_crash_under_the_api_is_500_json_without_details(app, client):
    def crash():
        raise RuntimeError("secret detail")

    app.add_url_rule("/api/v1/_crash_probe", "crash_probe", crash)
    body = assert_error(client.get("/api/v1/_crash_probe"), 500, "server_error")
    assert "secret detail" not in str(body)
