"""Robots' webhook addresses and signing secrets are sealed at rest (booking/notifications/sealing.py,
migration 0011w), on each backend: the database holds only tokens, the app reads the plain values, a key
kept in SECRET_KEY_FALLBACKS still opens them, an older database's plain values are sealed on upgrade, and
the pages never echo a secret back."""
from __future__ import annotations

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import text

from booking import create_app
from booking.accounts.models import Role
from booking.config import from_environment
from booking.extensions import db
from booking.notifications import sealing, services
from booking.notifications.models import NotificationRobot
from tests import factories

URL = "http://127.0.0.1:9/robot/send?access_token=very-secret-token-9876"
SECRET = "SEC-signing-secret-abcdef"


def _stored(robot_id: int):
    return db.session.execute(text("SELECT url, secret FROM notification_robots WHERE id = :id"),
                              {"id": robot_id}).one()


def _reread(robot_id: int) -> NotificationRobot:
    db.session.expire_all()
    return db.session.get(NotificationRobot, robot_id)


@pytest.fixture
def robot(app):
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = frozenset({"127.0.0.1"})
    teacher = factories.user()
    made = services.add_robot(teacher, kind="dingtalk", url=URL, secret=SECRET, user=teacher)
    db.session.commit()
    return made


def test_the_database_holds_only_tokens_and_the_app_reads_the_plain_values(app, robot):
    url, secret = _stored(robot.id)
    assert "very-secret-token" not in url and "127.0.0.1" not in url and SECRET not in secret
    keys = sealing.keys_of(app.config)
    assert (sealing.unseal(url, keys), sealing.unseal(secret, keys)) == (URL, SECRET)
    assert sealing.seal(URL, keys) != url  # a fresh token each time: equal values do not show as equal
    again = _reread(robot.id)
    assert (again.url, again.secret) == (URL, SECRET)


def test_an_empty_secret_stays_empty(app):
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = frozenset({"127.0.0.1"})
    teacher = factories.user()
    made = services.add_robot(teacher, kind="wecom", url=URL, user=teacher)
    db.session.commit()
    assert _stored(made.id).secret == "" and _reread(made.id).secret == ""


def test_a_key_kept_in_the_fallbacks_still_opens_them_and_no_other_key_does(app, robot):
    old_key = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="the-next-secret-key", SECRET_KEY_FALLBACKS=[old_key])
    assert (_reread(robot.id).url, _reread(robot.id).secret) == (URL, SECRET)
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert (_reread(robot.id).url, _reread(robot.id).secret) == ("", "")  # unreadable: set up again
    with pytest.raises(InvalidToken):
        sealing.unseal(_stored(robot.id).url, ("another-key",))


def test_the_earlier_keys_come_from_the_environment(tmp_path):
    config = from_environment({"SECRET_KEY": "now", "SECRET_KEY_FALLBACKS": " before-1, before-2 ,"}, tmp_path)
    assert config["SECRET_KEY_FALLBACKS"] == ["before-1", "before-2"]
    assert sealing.keys_of(config) == ("now", "before-1", "before-2")


def test_the_pages_show_only_that_a_secret_is_set_and_never_echo_it(app, login_as):
    school = factories.school()
    client = login_as(factories.user(role=Role.SCHOOL_ADMIN, school=school))
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = frozenset({"127.0.0.1"})
    page_url = f"/notifications/schools/{school.id}/robots"
    refused = client.post(page_url, data={"kind": "wecom", "url": URL, "secret": SECRET})  # WeCom is not signed
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and SECRET not in body and "very-secret-token" not in body
    assert client.post(page_url, data={"kind": "dingtalk", "url": URL, "secret": SECRET}).status_code == 302
    page = client.get(page_url).get_data(as_text=True)
    assert SECRET not in page and "very-secret-token" not in page and "…9876" in page
    assert "<td>是</td>" in page  # signed: yes, and no more


def test_0011w_seals_an_older_databases_plain_values_and_downgrade_opens_them(empty_database_url):
    from flask_migrate import downgrade, upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True, "SECRET_KEY": "migration-key"})
    with app.app_context():
        upgrade(revision="0010k")
        now = "2026-11-20 08:00:00"
        db.session.execute(text(
            "INSERT INTO users (id, email, display_name, password_hash, school_id, role, area, locale, active,"
            " created_at) VALUES (1, 'head@example.cn', '学区长', 'x', NULL, 'coordinator', '', 'zh_CN', true, :now)"),
            {"now": now})
        db.session.execute(text(
            "INSERT INTO notification_robots (id, school_id, user_id, kind, label, url, secret, markdown, active,"
            " created_at, created_by_id) VALUES (1, NULL, 1, 'dingtalk', '', :url, :secret, true, true, :now, 1),"
            " (2, NULL, 1, 'wecom', '', :url, '', true, true, :now, 1)"), {"url": URL, "secret": SECRET, "now": now})
        db.session.commit()
        upgrade()
        rows = db.session.execute(text("SELECT url, secret FROM notification_robots ORDER BY id")).all()
        assert all(URL not in url and SECRET not in secret for url, secret in rows) and rows[1].secret == ""
        assert [(r.url, r.secret) for r in (_reread(1), _reread(2))] == [(URL, SECRET), (URL, "")]
        db.session.remove()
        downgrade(revision="0010k")
        assert db.session.execute(text("SELECT url, secret FROM notification_robots ORDER BY id")).all() == [
            (URL, SECRET), (URL, "")]
        db.session.remove()
        db.engine.dispose()
