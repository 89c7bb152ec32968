"""The fair-shares pages: what the resource page and the booking form say, and the coordinators' page."""

import pytest

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.quotas import services as quotas
from booking.quotas import settings as quota_settings
from booking.quotas.models import BookingWindow, QuotaException, TermQuota
from tests import factories
from tests.booking_support import freeze


def sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def setup(app):
    freeze()  # 1 September 2026
    lead = factories.school(name="新天寄宿制小学", is_lead=True)
    weak = factories.school(name="村小", is_weak=True, enrollment=150)
    lab = factories.resource(name="物理实验室", owner_school=lead)
    term = factories.term()
    coordinator = factories.user(role=Role.COORDINATOR)
    quota_settings.set_window(coordinator, lead.district_id, {"weak_days": 28, "other_days": 14})
    quota = quota_settings.set_quota(coordinator, lead.district_id, {"hours": 20}, resource_id=lab.id)
    db.session.commit()
    return dict(lead=lead, weak=weak, lab=lab, term=term, coordinator=coordinator, quota=quota,
                lead_teacher=factories.user(school=lead, locale="zh_CN"),
                weak_teacher=factories.user(school=weak, locale="zh_CN"))


def test_the_resource_page_says_the_window_and_the_quota_before_anyone_tries(client, setup):
    sign_in(client, setup["lead_teacher"])
    page = client.get(f"/resources/{setup['lab'].id}?week=2026-09-21").get_data(as_text=True)
    assert "本学期已用 0 / 20 小时" not in page  # the owner school's own use is not limited here
    assert "2026年9月7日" in page and "起可预约" in page  # Monday 21 September opens on the 7th for the lead school
    sign_in(client, setup["weak_teacher"])
    page = client.get(f"/resources/{setup['lab'].id}").get_data(as_text=True)
    assert "本学期已用 0 / 20 小时" in page and "可提前 28 天预约" in page
    assert "薄弱学校提前 28 天 · 其他学校 14 天 · 所属学校 14 天" in page and "每校每学期 20 小时" in page


def test_the_booking_form_names_the_day_booking_opens_for_the_chosen_date(client, setup):
    sign_in(client, setup["lead_teacher"])
    page = client.get(f"/bookings/new/{setup['lab'].id}?day=2026-10-03").get_data(as_text=True)
    assert "本校 2026年9月19日 起可预约 2026年10月3日" in page


def test_a_refused_booking_in_the_browser_says_when_it_opens(client, setup):
    sign_in(client, setup["lead_teacher"])
    response = client.post(f"/bookings/new/{setup['lab'].id}", data={
        "title": "实验", "day": "2026-09-21", "period_number": "3", "students": "30"})
    assert response.status_code == 409
    assert "2026年9月7日" in response.get_data(as_text=True)


def test_coordinators_set_windows_quotas_and_grant_exceptions_on_their_page(client, setup):
    sign_in(client, setup["coordinator"])
    assert client.get("/admin/quotas/").status_code == 200
    response = client.post("/admin/quotas/window", data={"window-scope": "category:lab", "window-other_days": "7"})
    assert response.status_code == 302
    assert db.session.query(BookingWindow).filter_by(scope_key="category:lab").one().other_days == 7
    response = client.post("/admin/quotas/quota", data={"quota-scope": "category:gym", "quota-hours_per_100": "2.5"})
    assert response.status_code == 302
    assert db.session.query(TermQuota).filter_by(scope_key="category:gym").one().hours_per_100 == 2.5
    response = client.post("/admin/quotas/quota", data={"quota-scope": "category:gym", "quota-hours": "-3"})
    assert response.status_code == 422
    response = client.post("/admin/quotas/exception", data={
        "exception-quota_id": str(setup["quota"].id), "exception-school_id": str(setup["weak"].id),
        "exception-term_id": str(setup["term"].id), "exception-extra_hours": "4", "exception-reason": "<b>竞赛</b>"})
    assert response.status_code == 302
    assert db.session.query(QuotaException).one().extra_hours == 4
    assert db.session.query(AuditEntry).filter_by(action="quota.exception").count() == 1
    page = client.get("/admin/quotas/").get_data(as_text=True)
    assert "&lt;b&gt;竞赛&lt;/b&gt;" in page and "<b>竞赛</b>" not in page


def test_only_district_coordinators_change_settings(client, setup):
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=setup["lead"])
    sign_in(client, admin)
    assert client.get("/admin/quotas/").status_code == 403
    area = factories.user(role=Role.COORDINATOR, area="上片")
    sign_in(client, area)
    assert client.post("/admin/quotas/window", data={"window-scope": "district", "window-weak_days": "1"}).status_code == 403
    assert quotas.window_days_for(setup["lab"], setup["weak"]) == 28


def test_the_resource_edit_form_opens_the_page_on_that_resource_with_its_settings(client, setup):
    sign_in(client, setup["coordinator"])
    lab = setup["lab"]
    assert f"/admin/quotas/?scope=resource:{lab.id}" in client.get(f"/resources/{lab.id}/edit").get_data(as_text=True)
    page = client.get(f"/admin/quotas/?scope=resource:{lab.id}").get_data(as_text=True)
    assert f'<option selected value="resource:{lab.id}">' in page
    assert 'name="quota-hours" step="any" type="number" value="20"' in page
