"""The central input guards: JSON depth, unstorable text named by its path, and the flush check that
makes both databases refuse the same text (nothing written)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from booking.accounts.models import Role, User
from booking.api.params import json_whole_number
from booking.extensions import db
from booking.request_guards import json_depth, unstorable_json_fields
from booking.validation import ValidationFailed
from tests import factories
from tests.api_support import bearer


def test_json_depth_counts_brackets_outside_strings():
    assert json_depth(b'{"a": [1, {"b": "[[[{{{"}]}') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(b"[" * 100_000 + b"]" * 100_000) == 100_000


def test_unstorable_json_fields_are_named_by_their_path():
    body = {"title": "ok", "recurrence": {"rrule": "a\x00"}, "items": ["x", "\ud800"], "k\x00": 1}
    assert set(unstorable_json_fields(body)) == {"recurrence.rrule", "items.1", "k?"}


@pytest.mark.parametrize("value", ["名" * 101, "a\x00b", "a\ud800b"])
def test_the_flush_refuses_text_no_column_can_hold_and_keeps_nothing(app, value):
    user = factories.user(display_name="原名")
    user.display_name = value
    with pytest.raises(ValidationFailed) as failed:
        db.session.commit()
    assert set(failed.value.errors) == {"display_name"}
    db.session.rollback()
    assert db.session.get(User, user.id).display_name == "原名"


def test_a_new_user_with_too_long_a_name_is_a_field_error_and_not_saved(client, login_as):
    login_as(factories.user(role=Role.COORDINATOR, locale="en"))
    response = client.post("/admin/users/new", data={
        "email": "long@example.cn", "display_name": "名" * 500, "role": "coordinator", "school": "", "locale": "zh_CN",
        "password": "chushi-mima-1", "active": "y"})
    assert response.status_code == 422 and "At most 100 characters." in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "long@example.cn")) is None


def test_json_integers_include_whole_floats_as_json_schema_does():
    assert [json_whole_number(v) for v in (12, 12.0, 12.5, True, "12", None)] == [12, 12, None, None, None, None]


def test_an_id_sent_as_a_whole_float_is_accepted_like_the_schema_says(client):
    teacher = factories.user()
    resource = factories.resource(owner_school=teacher.school)
    response = client.post("/api/v1/feeds", json={"scope": "resource", "id": float(resource.id)}, headers=bearer(teacher))
    assert response.status_code == 201, response.get_data(as_text=True)


def test_a_multipart_part_without_a_name_is_refused_not_a_server_error(client, app):
    """Found by the API fuzz run once the uploads were documented: werkzeug names such a part None."""
    coordinator = factories.user(role=Role.COORDINATOR)
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"
    answer = client.post("/api/v1/imports/users", data=body, content_type="multipart/form-data; boundary=b",
                         headers=bearer(coordinator))
    assert answer.status_code == 422 and "(a part without a name)" in answer.get_json()["fields"]
