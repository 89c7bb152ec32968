"""A bounded fuzz run of the JSON API with schemathesis, in-process (WSGI), against its own OpenAPI document.

A coordinator's token on the seeded demo district; for every operation a few schema-valid requests
(positive) and a few that break the schema (negative), plus schema-valid ones aimed at real
records. Every schemathesis check runs and must pass: no 5xx, every status and content type
documented, every body matching its schema, schema-violating input refused. One check is replaced:
``positive_data_acceptance`` expects schema-valid input to be accepted, but the booking rules and
the rules between fields (a booking over, a clash, end before start, a resource that does not
exist) cannot be written as JSON Schema; each operation documents them with its 422 and 409. In
its place ``valid_formats_are_accepted`` refuses any 422 to schema-valid input that blames a
field's own form (type, length, range, enum, required, unknown name), which the document must say.
"""
from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from sqlalchemy import select

from booking.allocation.models import AllocationRound
from booking.bookings.models import Booking, BookingStatus
from booking.extensions import db
from booking.resources.models import Resource
from booking.schools.models import School

# The fuzzing finds what the app answers to input it did not expect; the database beneath it is the other
# tests' to check on both, and a second run cost a minute of the suite's CPU.
pytestmark = [pytest.mark.slow, pytest.mark.one_backend]

# Derandomised, so the same cases every run: 6 a strategy still reach every operation in each mode, at
# two fifths of what 15 cost (the run was the suite's longest test).
EXAMPLES_PER_OPERATION = 6
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"checks": {
    "positive_data_acceptance": {"enabled": False},
    # A too-long address (414) is a refusal like the others.
    "negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 405, 406, 409, 414, 415, 422, 428, 429]},
}})


# The API's messages for a value whose own form is wrong: the schema declares each of these rules.
# (Years outside 2000-2100 are refused too; the schemas' descriptions say so, JSON Schema cannot.)
FORM_REFUSAL = re.compile(r"^(Give a whole number|Enter a whole number|Enter a number from|Unknown value|Use at most|"
                          r"At most \d+ characters|Give a string|Give true or false|Unknown field|Unknown parameter|"
                          r"Give a value|Required\.|Send a JSON object|Give an ISO 8601|.* is not a real date|"
                          r"Choose one of|At least \d+ characters|Give a number of|Give a wall-clock time|"
                          r"Give an object|Give a list|Give null|Give text of the form)")


def valid_formats_are_accepted(ctx, response, case) -> None:
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return
    blamed = {name: text for name, text in response.json().get("fields", {}).items() if FORM_REFUSAL.match(text)}
    assert not blamed, f"schema-valid input refused for its form: {blamed}"


def _real_ids() -> dict:
    """Path arguments naming seeded records, so the fuzzing also reaches past the 404s."""
    pending = select(Booking.id).where(Booking.status == BookingStatus.PENDING).order_by(Booking.id).limit(1)
    return {"booking_id": db.session.scalar(pending),
            "resource_id": db.session.scalar(select(Resource.id).order_by(Resource.id).limit(1)),
            "school_id": db.session.scalar(select(School.id).order_by(School.id).limit(1)),
            "round_id": db.session.scalar(select(AllocationRound.id).order_by(AllocationRound.id).limit(1))}


def _fuzz(operation, strategy, headers: dict) -> str | None:
    """Run ``strategy``'s examples against the app; the failure report, or None."""
    @given(case=strategy)
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        try:
            # A case whose headers break the schema (e.g. no Authorization) is sent as generated.
            signed = {} if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER) else headers
            # Its WSGI transport does not undo Content-Encoding as HTTP clients do: ask for the plain body.
            signed = {**signed, "Accept-Encoding": "identity"}
            case.call_and_validate(headers=signed, additional_checks=[valid_formats_are_accepted])
        finally:
            db.session.remove()

    try:
        run()
    except Exception as failure:  # schemathesis' FailureGroup, or an error of the app itself
        return f"{operation.label}: {failure}"
    return None


# The operations in this many shares, one test each, so the test workers share the run (it was the suite's
# longest test, a minute on one worker while the others had finished).
SHARES = 4


@pytest.mark.parametrize("share", range(SHARES))
def test_the_api_survives_fuzzing_against_its_own_document(seeded_demo, share):
    app, headers = seeded_demo.app, seeded_demo.coordinator_token
    with app.app_context():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
        real_ids = _real_ids()
        failures = []
        for result in list(schema.get_all_operations())[share::SHARES]:
            operation = result.ok()
            names = {parameter.name for parameter in operation.path_parameters}
            strategies = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                          operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)]
            if names:
                strategies.append(operation.as_strategy(
                    generation_mode=GenerationMode.POSITIVE,
                    path_parameters={name: value for name, value in real_ids.items() if name in names}))
            failures += filter(None, (_fuzz(operation, strategy, headers) for strategy in strategies))
    assert not failures, "\n\n".join(failures)
