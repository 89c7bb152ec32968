"""Record ids in URLs: one converter (1 … MAX_ID, one spelling each) on every route, and documented as such."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from booking import ids
from booking.api.openapi import API_PREFIX
from booking.validation import MAX_ID
from tests import factories
from tests.api_support import bearer

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


@pytest.fixture(scope="module")
def urls():
    app = Flask(__name__)
    ids.register(app)
    app.add_url_rule("/things/<id:thing_id>", "thing")
    app.add_url_rule("/things/<id:thing_id>", "change_thing", methods=["PUT"])
    return app.url_map.bind("localhost")


@pytest.mark.parametrize("segment, expected", [
    ("1", 1), ("42", 42), ("999999999", 999_999_999), ("1999999999", 1_999_999_999), ("2147483639", 2_147_483_639),
    (str(MAX_ID - 1), MAX_ID - 1), (str(MAX_ID), MAX_ID),
])
def test_an_id_matches_as_an_int(urls, segment, expected):
    assert urls.match(f"/things/{segment}") == ("thing", {"thing_id": expected})


@pytest.mark.parametrize("segment", [
    "0", str(MAX_ID + 1), "2147483650", "2147483700", "2200000000", "3000000000", "9999999999", "9" * 20,
    "007", "01", "-1", "+1", "1.0", "1e3", "", " 1", "١", "４２", "x",
])
def test_anything_else_names_no_record(urls, segment):
    with pytest.raises(NotFound):
        urls.match(f"/things/{segment}")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_id_out_of_range_is_not_found_whatever_the_method(urls, method):
    """Not 405 because a rule for another method would have matched the path."""
    with pytest.raises(NotFound):
        urls.match(f"/things/{MAX_ID + 1}", method=method)


def test_an_id_is_built_back_into_its_one_spelling(urls):
    assert urls.build("thing", {"thing_id": 7}) == "/things/7"


def test_every_route_takes_its_ids_through_the_converter(app):
    rules = list(app.url_map.iter_rules())
    assert not [rule.rule for rule in rules if "<int:" in rule.rule]
    untyped = [rule.rule for rule in rules for name in rule.arguments
               if name.endswith("_id") and f"<id:{name}>" not in rule.rule]
    assert not untyped
    assert sum("<id:" in rule.rule for rule in rules) > 40


def test_the_document_gives_every_path_id_its_range(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    api_paths = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix(API_PREFIX)
                 for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.") and "<id:" in rule.rule}
    assert api_paths
    for path in api_paths:
        for operation in document["paths"][path].values():
            path_params = [p for p in operation["parameters"] if p["in"] == "path"]
            assert path_params and all(p["schema"] == ID_SCHEMA for p in path_params), (path, path_params)


def test_only_the_canonical_spelling_of_an_id_finds_the_record(client):
    school = factories.school()
    headers = bearer(factories.user(school=school))
    assert client.get(f"/api/v1/schools/{school.id}", headers=headers).status_code == 200
    for spelling in (f"0{school.id}", "0", str(MAX_ID + 1), "9" * 20):
        response = client.get(f"/api/v1/schools/{spelling}", headers=headers)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found", spelling
    # GET is a rule of the same path: a converter that refused too late would answer 405 here.
    response = client.put(f"/api/v1/resources/{MAX_ID + 1}/check-in", headers=headers, json={})
    assert response.status_code == 404
