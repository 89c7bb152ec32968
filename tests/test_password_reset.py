"""Password reset by email: one answer for every address, a link that works once and expires,
every session ended afterwards, at most one mail per address every few minutes."""
import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from booking import clock
from booking.accounts.models import User
from booking.extensions import db
from booking.password_reset import services
from tests import factories
from tests.booking_support import freeze

FORGOT_ANSWER = "如果该邮箱有账号，设置新密码的链接已发出"


@pytest.fixture
def teacher(app):
    freeze()
    return factories.user(email="li@example.cn", display_name="李老师")


def mailed_link(app, thread) -> str:
    thread.join(timeout=10)
    files = list((__import__("pathlib").Path(app.instance_path) / "outbox").glob("password-reset-*.eml"))
    assert len(files) == 1
    mail = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["To"] == "li@example.cn" and "重置" in mail["Subject"] and "李老师" in text
    return re.search(r"https?://\S+/password/reset/\S+", text).group(0)


def ask(client, email):
    return client.post("/password/forgot", data={"email": email}, follow_redirects=True)


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(teacher, client):
    known, unknown = ask(client, "li@example.cn"), ask(client, "nobody@example.cn")
    assert known.status_code == unknown.status_code == 200
    assert FORGOT_ANSWER in known.get_data(as_text=True) and FORGOT_ANSWER in unknown.get_data(as_text=True)


def test_the_link_sets_a_new_password_once_and_signs_out_everywhere(app, teacher, client, login_as):
    other_device = app.test_client()
    from tests.conftest import login
    assert login(other_device, teacher).status_code == 302
    thread = services.request_reset("li@example.cn", "198.51.100.7")
    db.session.commit()
    path = "/password/reset/" + mailed_link(app, thread).rsplit("/", 1)[1]
    form = client.get(path)
    assert form.status_code == 200 and "设置新密码" in form.get_data(as_text=True)
    done = client.post(path, data={"new_password": "brand-new-pass", "confirm_password": "brand-new-pass"})
    assert done.status_code == 302
    assert other_device.get("/bookings/mine").status_code == 302  # signed out there
    assert client.get(path).status_code == 410  # used once
    assert client.post("/login", data={"email": "li@example.cn", "password": "brand-new-pass"}).status_code == 302
    user = db.session.get(User, teacher.id)
    assert not user.must_change_password


def test_a_link_expires_and_a_forged_one_does_nothing(app, teacher, client):
    thread = services.request_reset("li@example.cn", "")
    db.session.commit()
    token = mailed_link(app, thread).rsplit("/", 1)[1]
    clock.freeze(clock.utcnow() + timedelta(minutes=61))
    assert client.get(f"/password/reset/{token}").status_code == 410
    assert client.get("/password/reset/not-a-token").status_code == 410
    forged = client.post("/password/reset/not-a-token", data={"new_password": "x" * 12, "confirm_password": "x" * 12})
    assert forged.status_code == 410


def test_a_short_or_mismatched_password_is_refused_and_the_link_still_works(app, teacher, client):
    thread = services.request_reset("li@example.cn", "")
    db.session.commit()
    path = "/password/reset/" + mailed_link(app, thread).rsplit("/", 1)[1]
    assert client.post(path, data={"new_password": "short", "confirm_password": "short"}).status_code == 422
    assert client.post(path, data={"new_password": "long-enough-1", "confirm_password": "other"}).status_code == 422
    assert client.get(path).status_code == 200


def test_one_mail_per_address_every_few_minutes_and_none_for_a_disabled_account(app, teacher):
    assert services.request_reset("li@example.cn", "") is not None
    db.session.commit()
    assert services.request_reset("LI@example.cn ", "") is None
    clock.freeze(clock.utcnow() + timedelta(minutes=services.RESEND_MINUTES + 1))
    assert services.request_reset("li@example.cn", "") is not None
    factories.user(email="gone@example.cn", active=False)
    assert services.request_reset("gone@example.cn", "") is None


def test_the_page_needs_its_csrf_token(csrf_app, teacher):
    assert csrf_app.test_client().post("/password/forgot", data={"email": "li@example.cn"}).status_code == 400
