"""The digest pages: how often (in the profile), my digests, and the unsubscribe link without signing in."""
import re

from sqlalchemy import select

from booking.accounts.models import DigestFrequency
from booking.audit.models import AuditEntry
from booking.digests.jobs import DIGESTS, jobs, run_slot
from booking.digests.models import OutboxMessage
from booking.digests.unsubscribe import unsubscribe_token
from booking.extensions import db
from tests import factories
from tests.digest_support import CUT, at_digest_time, build_scenario


def test_profile_offers_the_frequency_and_saves_it(app, login_as):
    user = factories.user()
    client = login_as(user)
    page = client.get("/profile").get_data(as_text=True)
    assert 'action="/digests/frequency"' in page and "每周一次（周日晚上）" in page
    response = client.post("/digests/frequency", data={"frequency": "weekly", "next": "/profile"})
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    db.session.refresh(user)
    assert user.digest_frequency == DigestFrequency.WEEKLY
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "digest.frequency"))
    assert entry.actor_id == user.id and entry.details == {"from": "daily", "to": "weekly", "how": "profile"}


def test_a_bad_frequency_is_refused_on_its_field(app, login_as):
    user = factories.user()
    response = login_as(user).post("/digests/frequency", data={"frequency": "hourly"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "请选择接收简报的频率。" in page and 'aria-invalid="true"' in page
    db.session.refresh(user)
    assert user.digest_frequency == DigestFrequency.DAILY


def test_my_digests_are_listed_and_shown_to_me_only(app, login_as):
    scenario = build_scenario()
    at_digest_time()
    run_slot(jobs()[DIGESTS], CUT, "test")
    mine = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == scenario.teacher.id))
    others = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == scenario.admin.id))
    client = login_as(scenario.teacher)
    listing = client.get("/digests/").get_data(as_text=True)
    assert f'href="/digests/{mine.id}"' in listing and f'href="/digests/{others.id}"' not in listing
    assert "新天学区每日简报 · 2026年11月18日星期三" in listing and "等待发送" in listing
    shown = client.get(f"/digests/{mine.id}")
    assert shown.status_code == 200 and "学生参加镇运动会" in shown.get_data(as_text=True)
    assert client.get(f"/digests/{others.id}").status_code == 404


def test_digest_pages_need_signing_in(app, client):
    assert client.get("/digests/").status_code == 302


def test_the_unsubscribe_link_asks_first_and_the_button_works_without_signing_in(csrf_app):
    user = factories.user(locale="en")
    client = csrf_app.test_client()
    link = f"/digests/unsubscribe/{unsubscribe_token(user.id)}"
    opened = client.get(link)  # what a mail scanner does: it must change nothing
    page = opened.get_data(as_text=True)
    assert opened.status_code == 200 and f"Stop sending the usage digest to {user.email}?" in page
    assert f'<form method="post" action="{link}">' in page and 'name="frequency" value="none"' in page
    db.session.refresh(user)
    assert user.digest_frequency == DigestFrequency.DAILY
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "digest.frequency")) is None
    response = client.post(link, data={"frequency": "none"})  # the page's button, CSRF protection on
    assert response.status_code == 200
    assert f"{user.email} will get no more digests." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.digest_frequency == DigestFrequency.NONE
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "digest.frequency"))
    assert entry.actor_id is None and entry.details["how"] == "unsubscribe link"
    again = client.get(link).get_data(as_text=True)
    assert f"{user.email} will get no more digests." in again and 'value="none"' not in again


def test_changing_ones_mind_on_the_unsubscribe_page(app, client):
    user = factories.user(digest_frequency=DigestFrequency.NONE)
    response = client.post(f"/digests/unsubscribe/{unsubscribe_token(user.id)}", data={"frequency": "weekly"})
    assert response.status_code == 200 and "每周一次（周日晚上）" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.digest_frequency == DigestFrequency.WEEKLY
    bad = client.post(f"/digests/unsubscribe/{unsubscribe_token(user.id)}", data={"frequency": "hourly"})
    assert bad.status_code == 422 and "请选择接收简报的频率。" in bad.get_data(as_text=True)


def test_mail_programs_one_click_post_works_with_csrf_on(csrf_app):
    user = factories.user()
    client = csrf_app.test_client()
    response = client.post(f"/digests/unsubscribe/{unsubscribe_token(user.id)}",
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.digest_frequency == DigestFrequency.NONE


def test_an_altered_token_changes_nothing(app, client):
    user = factories.user()
    token = unsubscribe_token(user.id)
    forged = re.sub(r"\.(.)", lambda m: "." + ("A" if m.group(1) != "A" else "B"), token, count=1)
    for bad in (forged, "nonsense", unsubscribe_token(user.id).replace(".", "x", 1)):
        response = client.get(f"/digests/unsubscribe/{bad}")
        assert response.status_code == 400 and "此退订链接无效" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.digest_frequency == DigestFrequency.DAILY
