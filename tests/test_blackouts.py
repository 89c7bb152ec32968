"""Maintenance blackouts: the checks (pure), the pages with their confirmation step, and the API."""
import re
from datetime import time, timezone

import pytest

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.bookings import hits
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingStatus, ResourceBlackout
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.resources import blackouts
from booking.resources.models import Category, Sharing
from tests import factories
from tests.api_support import assert_documented, bearer
from tests.booking_support import NOW, ZONE, freeze, local, single
from tests.test_booking_pages import login_as_with_token

# Thursday 3 September 2026 in the district; the clock is frozen on the Tuesday before (NOW).
FORM = {"start_date": "2026-09-03", "start_time": "08:00", "end_date": "", "end_time": "12:00", "reason": "地板维修"}
API_BODY = {"start": "2026-09-03T08:00:00", "end": "2026-09-03T12:00:00", "reason": "地板维修"}


def span(**changes) -> blackouts.BlackoutInput:
    values = {**FORM, **changes}
    return blackouts.from_local(values["start_date"], values["start_time"], values["end_date"], values["end_time"],
                                values["reason"], ZONE)


# --- Checks, without an app -------------------------------------------------------------------------


def test_local_dates_and_times_become_utc_instants():
    timed = span()
    assert (timed.start, timed.end) == (local(9, 3, 8), local(9, 3, 12)) and timed.end_field == "end_time"
    whole_days = span(start_time="", end_date="2026-09-04", end_time="")
    assert (whole_days.start, whole_days.end) == (local(9, 3, 0), local(9, 5, 0))
    assert whole_days.end_field == "end_date" and whole_days.start.tzinfo == timezone.utc
    assert check(span(start_time="", end_time="")) == {}


def check(data) -> dict:
    return blackouts.check_blackout(data, NOW.astimezone(timezone.utc))


@pytest.mark.parametrize("changes, fields", [
    ({"reason": "  "}, {"reason"}),
    ({"reason": "修" * 201}, {"reason"}),
    ({"start_date": ""}, {"start_date"}),
    ({"start_date": "2026-02-30"}, {"start_date"}),
    ({"start_time": "25:00"}, {"start_time"}),
    ({"end_date": "明天"}, {"end_date"}),
    ({"end_time": "07:00"}, {"end_time"}),
    ({"end_date": "2026-09-02", "end_time": ""}, {"end_date"}),
    ({"end_date": "2027-09-10", "end_time": ""}, {"end_date"}),
    ({"start_date": "2026-08-31", "end_time": ""}, {"end_date"}),
    ({"start_date": "", "reason": ""}, {"start_date", "reason"}),
])
def test_each_bad_input_is_named(changes, fields):
    assert set(check(span(**changes))) == fields


# --- Pages --------------------------------------------------------------------------------------------


@pytest.fixture
def gym(app):
    freeze()
    return factories.resource(name="体育馆", category=Category.GYM, subject="")


def admin_of(resource):
    return factories.user(role=Role.SCHOOL_ADMIN, school=resource.owner_school)


def blackouts_url(resource) -> str:
    return f"/resources/{resource.id}/blackouts"


def test_admin_adds_a_blackout_and_bookings_into_it_are_refused_as_closed(client, login_as, gym):
    login_as(admin_of(gym))
    assert blackouts_url(gym) in client.get(f"/resources/{gym.id}").get_data(as_text=True)
    assert "添加停用时段" in client.get(blackouts_url(gym)).get_data(as_text=True)
    response = client.post(blackouts_url(gym), data=FORM)
    assert response.status_code == 302
    blackout = db.session.query(ResourceBlackout).one()
    assert (blackout.starts_at, blackout.ends_at, blackout.reason) == (local(9, 3, 8), local(9, 3, 12), "地板维修")
    assert db.session.query(AuditEntry).filter_by(action="blackout.create").count() == 1
    listing = client.get(blackouts_url(gym)).get_data(as_text=True)
    assert "地板维修" in listing and 'id="upcoming-blackouts"' in listing
    with pytest.raises(BookingRefused) as refused:
        create_booking(factories.user(), single(gym))
    assert [r.kind for r in refused.value.refusals] == ["closed"]


@pytest.mark.parametrize("changes, field", [
    ({"reason": ""}, "reason"),
    ({"start_date": "2026-13-01"}, "start_date"),
    ({"end_time": "07:30"}, "end_time"),
    ({"end_date": "2028-01-01", "end_time": ""}, "end_date"),
])
def test_bad_form_input_is_named_per_field_and_nothing_saved(client, login_as, gym, changes, field):
    login_as(admin_of(gym))
    response = client.post(blackouts_url(gym), data={**FORM, **changes})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.query(ResourceBlackout).count() == 0


def test_teachers_and_other_schools_admins_may_not_manage_blackouts(client, login_as, gym):
    blackout = blackouts.create_blackout(None, gym, span()).blackout
    teacher = factories.user(school=gym.owner_school)
    for user in (teacher, factories.user(role=Role.SCHOOL_ADMIN)):
        login_as(user)
        assert client.get(blackouts_url(gym)).status_code == 403
        assert client.post(blackouts_url(gym), data=FORM).status_code == 403
        assert client.post(f"{blackouts_url(gym)}/{blackout.id}/delete").status_code == 403
        assert blackouts_url(gym) not in client.get(f"/resources/{gym.id}").get_data(as_text=True)
        client.post("/logout")
    assert db.session.query(ResourceBlackout).count() == 1


def booked(resource, **kw) -> Booking:
    return create_booking(factories.user(), single(resource, **kw)).bookings[0]


def test_bookings_inside_are_shown_first_then_cancelled_with_the_reason(client, login_as, gym):
    inside, outside = booked(gym), booked(gym, day=4)
    login_as(admin_of(gym))
    page = client.post(blackouts_url(gym), data=FORM)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="affected-bookings"' in html and f"/bookings/{inside.id}" in html
    assert f"/bookings/{outside.id}" not in html
    assert db.session.query(ResourceBlackout).count() == 0  # nothing saved before the choice
    response = client.post(blackouts_url(gym), data={**FORM, "on_bookings": "cancel", "shown": str(inside.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert inside.status == BookingStatus.CANCELLED and inside.cancel_reason == "地板维修"
    assert outside.status == BookingStatus.CONFIRMED
    assert db.session.query(ResourceBlackout).count() == 1


def test_kept_bookings_stay_and_a_changed_list_is_shown_again(client, login_as, gym):
    inside = booked(gym)
    login_as(admin_of(gym))
    stale = client.post(blackouts_url(gym), data={**FORM, "on_bookings": "keep", "shown": "999"})
    assert stale.status_code == 200 and 'id="affected-bookings"' in stale.get_data(as_text=True)
    assert db.session.query(ResourceBlackout).count() == 0
    client.post(blackouts_url(gym), data={**FORM, "on_bookings": "keep", "shown": str(inside.id)})
    db.session.expire_all()
    assert inside.status == BookingStatus.CONFIRMED and db.session.query(ResourceBlackout).count() == 1


def test_the_confirmation_carries_the_csrf_token(csrf_app, client, gym):
    inside = booked(gym)
    login_as_with_token(client, admin_of(gym))
    assert client.post(blackouts_url(gym), data=FORM).status_code == 400
    page = client.get(blackouts_url(gym)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    confirm = client.post(blackouts_url(gym), data={**FORM, "csrf_token": token}).get_data(as_text=True)
    hidden = dict(re.findall(r'name="(\w+)"(?: required)? type="hidden" value="([^"]*)"', confirm))
    assert hidden["shown"] == str(inside.id) and hidden["reason"] == "地板维修"
    assert client.post(blackouts_url(gym), data={**hidden, "on_bookings": "cancel"}).status_code == 302
    db.session.expire_all()
    assert inside.status == BookingStatus.CANCELLED


def test_someone_who_may_not_change_a_booking_leaves_it_kept(gym):
    inside = booked(gym)
    outsider = factories.user()  # the service trusts its caller on the blackout, not on the bookings
    added = blackouts.create_blackout(outsider, gym, span(), "cancel")
    assert added.cancelled == [] and added.kept == [inside] and inside.status == BookingStatus.CONFIRMED


def test_delete_from_the_page(client, login_as, gym):
    blackout_id = blackouts.create_blackout(None, gym, span()).blackout.id
    login_as(admin_of(gym))
    assert f'action="{blackouts_url(gym)}/{blackout_id}/delete"' in client.get(blackouts_url(gym)).get_data(as_text=True)
    assert client.post(f"{blackouts_url(gym)}/{blackout_id}/delete").status_code == 302
    assert db.session.query(ResourceBlackout).count() == 0
    assert db.session.query(AuditEntry).filter_by(action="blackout.delete").count() == 1
    assert client.post(f"{blackouts_url(gym)}/{blackout_id}/delete").status_code == 404


# --- API ----------------------------------------------------------------------------------------------


def api_url(resource) -> str:
    return f"/api/v1/resources/{resource.id}/blackouts"


def test_api_adds_lists_and_deletes_and_bookings_are_then_refused(client, gym):
    headers = bearer(admin_of(gym))
    response = client.post(api_url(gym), json=API_BODY, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["blackout"]["start"] == "2026-09-03T00:00:00Z" and body["cancelled"] == body["kept"] == []
    listing = client.get(api_url(gym), headers=bearer(factories.user())).get_json()
    assert listing["total"] == 1 and listing["items"][0]["reason"] == "地板维修"
    assert_documented(client, listing, "/resources/{resource_id}/blackouts")
    refused = client.post("/api/v1/bookings", headers=bearer(factories.user()), json={
        "resource_id": gym.id, "title": "篮球课", "start": "2026-09-03T09:50:00", "end": "2026-09-03T10:30:00"})
    assert refused.status_code == 409 and refused.get_json()["conflicts"][0]["kind"] == "closed"
    deleted = client.delete(f"{api_url(gym)}/{body['blackout']['id']}", headers=headers)
    assert deleted.status_code == 200 and db.session.query(ResourceBlackout).count() == 0


@pytest.mark.parametrize("changes, fields", [
    ({"start": "next week"}, {"start"}),
    ({"end": None}, {"end"}),
    ({"end": "2026-09-03T07:00:00"}, {"end"}),
    ({"end": "2027-12-01T00:00:00"}, {"end"}),
    ({"reason": ""}, {"reason"}),
    ({"reason": 5, "colour": "red"}, {"reason", "colour"}),
    ({"on_bookings": "delete"}, {"on_bookings"}),
])
def test_api_bad_input_is_named_per_field_and_nothing_saved(client, gym, changes, fields):
    response = client.post(api_url(gym), json={**API_BODY, **changes}, headers=bearer(admin_of(gym)))
    assert response.status_code == 422 and set(response.get_json()["fields"]) == fields
    assert db.session.query(ResourceBlackout).count() == 0


def test_api_asks_about_bookings_inside_then_cancels_them(client, gym):
    inside = booked(gym)
    headers = bearer(factories.user(role=Role.COORDINATOR))
    asked = client.post(api_url(gym), json=API_BODY, headers=headers)
    assert asked.status_code == 409 and asked.get_json()["error"] == "affected_bookings"
    assert [b["id"] for b in asked.get_json()["affected"]] == [inside.id]
    assert db.session.query(ResourceBlackout).count() == 0
    done = client.post(api_url(gym), json={**API_BODY, "on_bookings": "cancel"}, headers=headers).get_json()
    assert [b["id"] for b in done["cancelled"]] == [inside.id] and done["cancelled"][0]["status"] == "cancelled"
    db.session.expire_all()
    assert inside.cancel_reason == "地板维修"


def test_api_permissions(client, gym):
    blackout_id = blackouts.create_blackout(None, gym, span()).blackout.id
    own_school_only = factories.resource(sharing=Sharing.OWN_SCHOOL, name="本校器材室")
    for user in (factories.user(school=gym.owner_school), factories.user(role=Role.SCHOOL_ADMIN)):
        assert client.post(api_url(gym), json=API_BODY, headers=bearer(user)).status_code == 403
        assert client.delete(f"{api_url(gym)}/{blackout_id}", headers=bearer(user)).status_code == 403
    assert client.get(api_url(own_school_only), headers=bearer(factories.user())).status_code == 404
    assert client.delete(f"{api_url(gym)}/999", headers=bearer(admin_of(gym))).status_code == 404
    assert db.session.query(ResourceBlackout).count() == 1


def test_whole_days_by_the_form_cover_the_local_days(client, login_as, gym):
    login_as(admin_of(gym))
    client.post(blackouts_url(gym), data={"start_date": "2026-09-07", "end_date": "2026-09-08", "reason": "期末考试"})
    blackout = db.session.query(ResourceBlackout).one()
    assert blackout.starts_at.astimezone(ZONE).time() == time(0) and blackout.ends_at == local(9, 9, 0)


def test_a_failure_half_way_through_the_cancellations_leaves_nothing_written(client, login_as, gym, monkeypatch):
    """The blackout and every cancellation it causes are one unit of work (issue 11): when the second
    cancellation fails, the blackout and the first cancellation are not kept either."""
    first, second = booked(gym), booked(gym, start=local(9, 3, 10, 40), end=local(9, 3, 11, 20))
    db.session.commit()
    calls = []
    real_cancel = hits.cancel_booking

    def cancel_then_fail(*args, **kwargs):
        calls.append(args[1].id)
        if len(calls) == 2:
            raise RuntimeError("the database went away half-way")
        return real_cancel(*args, **kwargs)

    monkeypatch.setattr(hits, "cancel_booking", cancel_then_fail)
    login_as(admin_of(gym))
    shown = ",".join(str(b.id) for b in (first, second))
    response = client.post(blackouts_url(gym), data={**FORM, "on_bookings": "cancel", "shown": shown})
    assert response.status_code == 500 and len(calls) == 2
    db.session.rollback()
    db.session.expire_all()
    assert db.session.query(ResourceBlackout).count() == 0
    assert {first.status, second.status} == {BookingStatus.CONFIRMED}
    assert db.session.query(AuditEntry).filter(AuditEntry.action.in_(["blackout.create", "booking.cancel"])).count() == 0
