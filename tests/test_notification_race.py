"""Three outbox senders (processes, as three `flask scheduler`s would be) race over the same notifications
on PostgreSQL while the robots answer 500 at first: every message reaches its receiver exactly once."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from booking import clock, create_app
from booking.accounts.models import Role
from booking.digests.delivery import deliver_due
from booking.digests.models import OutboxMessage, OutboxStatus
from booking.digests.senders import SmtpSender
from booking.extensions import db
from booking.notifications import services
from booking.notifications.channels import WebhookPoster
from tests import factories
from tests.booking_support import NOW
from tests.notification_support import robot_receiver, smtp_receiver
from tests.race_support import in_processes, reported

pytestmark = pytest.mark.slow

PROCESSES = 3
MINUTES = 6  # the robots fail the first 15 tries; a failed message is tried again a minute later
ALLOWED = frozenset({"127.0.0.1"})


def sender_process(database_url: str, smtp_port: int, folder: str, name: str, barrier) -> None:
    with reported(folder, name, barrier):
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret", "TESTING": True})
        with app.app_context():
            for minute in range(MINUTES):
                clock.freeze(NOW + timedelta(minutes=minute))
                barrier.wait(60)
                deliver_due(SmtpSender("127.0.0.1", smtp_port, "", "", False), poster=WebhookPoster(ALLOWED))
            db.engine.dispose()


def test_three_senders_deliver_each_notification_once_through_failures(app, backend, database_url, tmp_path):
    if backend != "postgresql":
        pytest.skip("the race needs PostgreSQL (set TEST_DATABASE_URL)")
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = ALLOWED
    with robot_receiver(failures=15) as receiver, smtp_receiver() as smtp:
        clock.freeze(NOW)
        school = factories.school()
        admin = factories.user(role=Role.SCHOOL_ADMIN, school=school)
        services.add_robot(admin, kind="wecom", url=receiver.url("/wecom?key=k"), school_id=school.id)
        services.add_robot(admin, kind="dingtalk", url=receiver.url("/dingtalk?access_token=t"), secret="SECx",
                           school_id=school.id)
        services.add_robot(admin, kind="feishu", url=receiver.url("/feishu"), secret="fs", school_id=school.id)
        for n in range(10):
            services.notify(factories.user(school=school), "approved", {"title": f"课{n}"}, school_id=school.id)
        db.session.commit()
        in_processes(sender_process, lambda n, barrier: (database_url, smtp.server_address[1], str(tmp_path),
                                                         f"sender-{n}", barrier), PROCESSES, tmp_path)
        assert receiver.refused == 15
        for path, key in (("/wecom", "markdown"), ("/dingtalk", "markdown")):
            texts = [body[key]["content" if path == "/wecom" else "text"] for body in receiver.bodies(path)]
            assert len(texts) == len(set(texts)) == 10
        assert len(receiver.bodies("/feishu")) == 10
        assert len({str(body["content"]) for body in receiver.bodies("/feishu")}) == 10
        assert len(smtp.messages) == len({data for _r, data in smtp.messages}) == 10
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}
