"""The OpenAPI document: public, valid 3.1, and covering every route of the api blueprint."""
import re

import pytest
from flask import Blueprint, Flask
from openapi_spec_validator import validate

from booking.accounts.models import Role
from booking.api.openapi import API_PREFIX, api_rules, build_document, documented_methods, operation
from booking.api.params import EnumParam, IntParam, TextParam, parse_query
from booking.resources.models import ResourceKind
from booking.validation import ValidationFailed
from werkzeug.datastructures import MultiDict


def test_document_is_public_and_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "UTC" in document["info"]["description"]


def test_every_api_route_is_documented(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for rule in api_rules(app):
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix(API_PREFIX)
        for method in documented_methods(rule):
            assert method.lower() in paths.get(path, {}), f"{method} {rule.rule} is missing from openapi.json"


def test_operations_list_their_errors_and_parameters(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    listing = paths["/resources"]["get"]
    assert {"401", "422"} <= set(listing["responses"])
    assert {p["name"] for p in listing["parameters"]} == {"kind", "category", "school", "q", "limit", "offset"}
    detail = paths["/schools/{school_id}"]["get"]
    assert detail["parameters"][0] == {"name": "school_id", "in": "path", "required": True,
                                       "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
    assert {"401", "404"} <= set(detail["responses"])
    assert paths["/openapi.json"]["get"]["security"] == []


QUERY = (EnumParam("kind", "Kind.", enum=ResourceKind), IntParam("limit", "Limit.", default=50, minimum=1,
                                                                  maximum=200), TextParam("q", "Name.", max_length=5))


def test_parse_query_gives_values_and_defaults():
    assert parse_query(QUERY, MultiDict({"kind": "teacher", "q": " 琴房 "})) == {
        "kind": ResourceKind.TEACHER, "limit": 50, "q": "琴房"}


@pytest.mark.parametrize("args, field", [
    ({"kind": "Teacher"}, "kind"), ({"limit": "0"}, "limit"), ({"limit": "２"}, "limit"),
    ({"limit": "1e3"}, "limit"), ({"limit": "--5"}, "limit"), ({"q": "toolongtext"}, "q"),
    # Empty is not "the default" for a number or a choice: the script lost its value somewhere.
    ({"limit": ""}, "limit"), ({"kind": "", "q": ""}, "kind"),
])
def test_parse_query_names_the_bad_parameter(args, field):
    with pytest.raises(ValidationFailed) as failed:
        parse_query(QUERY, MultiDict(args))
    assert list(failed.value.errors) == [field]


def test_document_is_built_from_the_routes_declarations():
    """Without the real app: a role adds 403, a path argument adds 404, an undeclared route is left out."""
    blueprint = Blueprint("api", __name__, url_prefix=API_PREFIX)

    @blueprint.get("/reports/<int:term_id>")
    @operation("A term's report", response={"type": "object"}, role=Role.COORDINATOR, errors=(400,))
    def term_report(term_id):
        return {}

    @blueprint.post("/bookings")
    @operation("Book", response={"type": "object"}, request_body={"type": "object"}, status=201, errors=(409,))
    def create_booking():
        return {}

    @blueprint.get("/undeclared")
    def undeclared():
        return {}

    app = Flask(__name__)
    app.register_blueprint(blueprint)
    document = build_document(app)
    validate(document)
    report = document["paths"]["/reports/{term_id}"]["get"]
    # Any address may be too long (414) or carry an undeclared parameter (422).
    assert set(report["responses"]) == {"200", "400", "401", "403", "404", "414", "422"}
    assert "coordinator" in report["description"] and report["operationId"] == "term_report"
    assert "/undeclared" not in document["paths"]
    booking = document["paths"]["/bookings"]["post"]
    assert set(booking["responses"]) == {"201", "400", "401", "409", "413", "414", "422"} and "requestBody" in booking
