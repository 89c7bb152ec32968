"""What the role × endpoint matrices (tests/test_scope_matrix.py, tests/test_county_matrix.py) observe: a
refused request's status, else which names a list or a page shows; and the API requests both make."""
from __future__ import annotations

from booking.extensions import db

LESSON = {"start": "2026-09-08T09:50:00", "end": "2026-09-08T10:30:00"}  # 第3节 of a school day in the world


def names(response, key: str = "name") -> frozenset[str] | int:
    """The status when refused, else the ``key`` of every item of the API list."""
    if response.status_code != 200:
        return response.status_code
    return frozenset(item[key] for item in response.get_json()["items"])


def present(response, shown) -> frozenset[str] | int:
    """The status when refused, else which of ``shown`` the page shows."""
    if response.status_code != 200:
        return response.status_code
    html = response.get_data(as_text=True)
    return frozenset(name for name in shown if name in html)


def api_book(client, headers, resource, school, title: str) -> int:
    """POST a booking of ``resource`` for a class of ``school`` through the API: its status."""
    return client.post("/api/v1/bookings", headers=headers, json={
        "resource_id": resource.id, "title": title, "school_id": school.id, **LESSON}).status_code


def api_approve(client, headers, booking) -> tuple[int, str]:
    """Approve ``booking`` through the API: the status, and the booking's status afterwards."""
    status = client.post(f"/api/v1/bookings/{booking.id}/approve", json={}, headers=headers).status_code
    db.session.expire_all()
    return status, booking.status.value


def api_feed(client, headers, scope: str, target=None) -> int:
    """Ask the API for a calendar feed of ``scope`` (of ``target``, where the scope names one): its status."""
    body = {"scope": scope} if target is None else {"scope": scope, "id": target.id}
    return client.post("/api/v1/feeds", json=body, headers=headers).status_code


def api_utilization_names(client, headers, week: dict) -> frozenset[str] | int:
    return names(client.get("/api/v1/reports/utilization", headers=headers, query_string={**week, "group": "school"}))
