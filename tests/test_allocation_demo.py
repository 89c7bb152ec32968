"""Done when: on the demo district, the seeded round (contested) ends with a lower shared-access CV than first
come first served, serving no fewer requests; and its pages answer (English: tests/test_allocation_round.py)."""
from __future__ import annotations

from sqlalchemy import select

from booking.accounts.models import User
from booking.allocation.models import AllocationRound
from booking.allocation.services import preview_round
from booking.extensions import db
from booking.seed.people import email_for


def test_the_demo_round_is_fairer_than_first_come_first_served(seeded_demo):  # noqa: F811
    with seeded_demo.app.app_context():
        coordinator = db.session.scalar(select(User).where(User.email == email_for("coordinator")))
        round_ = db.session.scalar(select(AllocationRound))
        preview = preview_round(coordinator, round_)
        print(f"demo round: served {preview.served} (first come {preview.served_fcfs}) of {len(preview.lines)}; "
              f"shared-access CV {preview.cv_before} before, {preview.cv_after:.3f} allocated, "
              f"{preview.cv_fcfs:.3f} first come first served")
        assert preview.served >= preview.served_fcfs
        assert preview.served < len(preview.lines)  # contested: not everybody can be served
        assert preview.cv_after < preview.cv_fcfs
        unmet = [line for line in preview.lines if line.placement is None]
        assert unmet and all(line.reason for line in unmet)
        db.session.rollback()


def test_the_round_pages_answer(seeded_demo):  # noqa: F811
    client = seeded_demo.app.test_client()
    with seeded_demo.app.app_context():
        round_id = db.session.scalar(select(AllocationRound.id))
    response = client.post("/login", data={"email": email_for("coordinator"), "password": "demo1234"})
    assert response.status_code == 302
    for path in ("/allocation/", f"/allocation/{round_id}", f"/allocation/{round_id}/preview"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "第二学期实验室与体育馆统筹" in page.get_data(as_text=True)
