"""The caller's own account through the API: tokens (list, create, revoke), profile, digest frequency."""
from __future__ import annotations

from sqlalchemy import select

from booking.accounts.models import ApiToken, DigestFrequency, Role
from booking.audit.models import AuditEntry
from booking.extensions import db
from tests import factories
from tests.api_support import assert_documented, bearer


def test_create_list_and_revoke_own_tokens(client, app):
    teacher = factories.user()
    headers = bearer(teacher)
    created = client.post("/api/v1/tokens", json={"name": "排课脚本"}, headers=headers)
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    body = created.get_json()
    assert body["secret"].startswith("dst_") and body["token"]["name"] == "排课脚本"
    assert body["secret"].startswith(body["token"]["prefix"])
    new = {"Authorization": f"Bearer {body['secret']}"}
    assert client.get("/api/v1/me", headers=new).get_json()["id"] == teacher.id

    listing = client.get("/api/v1/tokens", headers=new).get_json()
    assert [t["name"] for t in listing["items"]] == ["排课脚本", "test"]
    assert "secret" not in str(listing) and all("token_hash" not in t for t in listing["items"])
    assert_documented(client, listing, "/tokens")

    revoked = client.delete(f"/api/v1/tokens/{body['token']['id']}", headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=new).status_code == 401
    assert client.delete(f"/api/v1/tokens/{body['token']['id']}", headers=headers).status_code == 404
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"token.issue", "token.revoke"} <= actions


def test_another_users_token_is_404(client, app):
    owner, coordinator = factories.user(), factories.user(role=Role.COORDINATOR)
    bearer(owner)
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(coordinator)).status_code == 404
    assert db.session.get(ApiToken, token_id).revoked_at is None
    assert all(t["id"] != token_id for t in client.get("/api/v1/tokens", headers=bearer(coordinator))
               .get_json()["items"])


def test_a_token_name_too_long_is_a_422(client, app):
    response = client.post("/api/v1/tokens", json={"name": "x" * 101}, headers=bearer(factories.user()))
    assert response.status_code == 422 and "name" in response.get_json()["fields"]


def test_change_name_and_language(client, app):
    teacher = factories.user(display_name="张老师")
    headers = bearer(teacher)
    response = client.patch("/api/v1/me", json={"display_name": " 张明 ", "locale": "en"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["display_name"], response.get_json()["locale"]) == ("张明", "en")
    for body, field in (({"display_name": ""}, "display_name"), ({"locale": "fr"}, "locale"),
                        ({"email": "x@example.org"}, "email"), ({"display_name": "x" * 101}, "display_name")):
        refused = client.patch("/api/v1/me", json=body, headers=headers)
        assert refused.status_code == 422 and field in refused.get_json()["fields"], body
    db.session.expire_all()
    assert teacher.display_name == "张明"


def test_digest_frequency(client, app):
    teacher = factories.user()
    headers = bearer(teacher)
    assert client.get("/api/v1/digests/settings", headers=headers).get_json() == {
        "frequency": teacher.digest_frequency.value}
    response = client.put("/api/v1/digests/settings", json={"frequency": "none"}, headers=headers)
    assert response.status_code == 200 and response.get_json() == {"frequency": "none"}
    db.session.expire_all()
    assert teacher.digest_frequency == DigestFrequency.NONE
    assert "digest.frequency" in set(db.session.scalars(select(AuditEntry.action)))
    refused = client.put("/api/v1/digests/settings", json={"frequency": "hourly"}, headers=headers)
    assert refused.status_code == 422 and "frequency" in refused.get_json()["fields"]
