"""Archiving a resource (PUT /resources/<id>/active) and a feed's new secret (POST /feeds/<id>/regenerate)."""
from __future__ import annotations

from booking.accounts.models import Role
from booking.extensions import db
from booking.resources.models import Resource
from tests import factories
from tests.api_support import bearer


def test_archive_and_restore_a_resource(client, app):
    lab = factories.resource()
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school)
    path = f"/api/v1/resources/{lab.id}/active"
    assert client.put(path, json={"active": False}, headers=bearer(factories.user(school=lab.owner_school))
                      ).status_code == 403  # a teacher of the school
    assert client.put(path, json={"active": False},
                      headers=bearer(factories.user(role=Role.SCHOOL_ADMIN))).status_code == 403  # another school
    archived = client.put(path, json={"active": False}, headers=bearer(admin))
    assert archived.status_code == 200 and archived.get_json()["active"] is False
    db.session.expire_all()
    assert db.session.get(Resource, lab.id).active is False
    assert client.put(path, json={"active": True}, headers=bearer(admin)).get_json()["active"] is True
    bad = client.put(path, json={"active": "no"}, headers=bearer(admin))
    assert bad.status_code == 422 and "active" in bad.get_json()["fields"]


def test_a_feed_gets_a_new_secret_and_the_old_url_stops(client, app):
    teacher = factories.user()
    headers = bearer(teacher)
    old = client.post("/api/v1/feeds", json={"scope": "user"}, headers=headers).get_json()
    old_path = "/" + old["url"].split("://", 1)[1].split("/", 1)[1]
    assert client.post(f"/api/v1/feeds/{old['id']}/regenerate", headers=bearer(factories.user())).status_code == 404
    new = client.post(f"/api/v1/feeds/{old['id']}/regenerate", headers=headers)
    assert new.status_code == 201 and new.get_json()["url"] != old["url"]
    assert client.get(old_path).status_code == 404
    assert client.get("/" + new.get_json()["url"].split("://", 1)[1].split("/", 1)[1]).status_code == 200
    assert [f["id"] for f in client.get("/api/v1/feeds", headers=headers).get_json()["items"]] == [new.get_json()["id"]]
