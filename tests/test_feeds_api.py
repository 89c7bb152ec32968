"""POST/GET/DELETE /api/v1/feeds: subscribe, list, revoke; strict input, documented answers."""
from __future__ import annotations

import jsonschema
import pytest

from booking.accounts.models import Role
from booking.resources.models import Sharing
from tests import factories
from tests.api_support import assert_documented, bearer


@pytest.fixture
def teacher(app):
    return factories.user(display_name="张老师")


def _post(client, user, body, headers=None):
    return client.post("/api/v1/feeds", json=body, headers=headers or bearer(user))


def test_subscribe_list_and_revoke(client, teacher):
    headers = bearer(teacher)
    created = _post(client, teacher, {"scope": "user"}, headers)
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) == {"id", "url", "webcal_url"}
    path = body["url"].split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200
    assert body["webcal_url"] == "webcal://" + body["url"].split("://", 1)[1]

    listing = client.get("/api/v1/feeds", headers=headers).get_json()
    assert [(f["id"], f["scope"], f["target_id"]) for f in listing["items"]] == [(body["id"], "user", teacher.id)]
    assert "张老师" in listing["items"][0]["name"] and body["url"].endswith(listing["items"][0]["hint"] + ".ics")
    assert_documented(client, listing, "/feeds")

    revoked = client.delete(f"/api/v1/feeds/{body['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"] is not None
    assert client.get("/" + path).status_code == 404
    assert client.get("/api/v1/feeds", headers=headers).get_json()["items"] == []
    assert client.delete(f"/api/v1/feeds/{body['id']}", headers=headers).status_code == 404


def test_the_created_answer_matches_the_document(client, teacher):
    body = _post(client, teacher, {"scope": "school", "id": teacher.school_id}).get_json()
    document = client.get("/api/v1/openapi.json").get_json()
    schema = document["paths"]["/feeds"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    jsonschema.validate(body, {**schema, "components": document["components"]},
                        cls=jsonschema.Draft202012Validator)


def test_the_url_is_https_when_the_site_is(app, client, teacher):
    app.config["PREFERRED_URL_SCHEME"] = "https"
    assert _post(client, teacher, {"scope": "user"}).get_json()["url"].startswith("https://")


@pytest.mark.parametrize("body, field", [
    ({}, "scope"), ({"scope": "planet"}, "scope"), ({"scope": "user", "colour": "red"}, "colour"),
    ({"scope": "resource", "id": "7"}, "id"), ({"scope": "resource", "id": True}, "id"),
    ({"scope": "resource", "id": 2**40}, "id"), ({"scope": "resource", "id": 999999}, "id"),
    ({"scope": "user", "id": 999999}, "id"), ({"scope": "district"}, "scope"),
    (["user"], "body"),
])
def test_bad_requests_name_the_field(client, teacher, body, field):
    response = _post(client, teacher, body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["fields"]


def test_nobody_subscribes_to_what_they_may_not_see(client, teacher):
    elsewhere = factories.school()
    private = factories.resource(sharing=Sharing.OWN_SCHOOL, owner_school=elsewhere)
    assert _post(client, teacher, {"scope": "resource", "id": private.id}).status_code == 422
    assert _post(client, teacher, {"scope": "school", "id": elsewhere.id}).status_code == 422
    lab = factories.resource()
    assert _post(client, teacher, {"scope": "teacher", "id": lab.id}).status_code == 422  # not a visiting teacher
    coordinator = factories.user(role=Role.COORDINATOR)
    assert _post(client, coordinator, {"scope": "district"}).status_code == 201
    assert _post(client, coordinator, {"scope": "school", "id": elsewhere.id}).status_code == 201


def test_writing_needs_a_token_and_others_feeds_look_missing(client, teacher):
    assert client.post("/api/v1/feeds", json={"scope": "user"}).status_code == 401
    mine = _post(client, teacher, {"scope": "user"}).get_json()
    other = factories.user()
    assert client.delete(f"/api/v1/feeds/{mine['id']}", headers=bearer(other)).status_code == 404
    assert client.get("/api/v1/feeds", headers=bearer(other)).get_json()["items"] == []
