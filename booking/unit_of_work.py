"""One transaction per unit of work: services flush, the boundary commits.

The boundaries are a web request (``RequestUnitOfWork`` below), a CLI command and a scheduled job
(each commits at its end). Services only ``flush``, so they compose: a blackout and the
cancellations it causes, an import and every row it creates, are one transaction that is kept or
dropped as a whole. A request commits when its view answered below 400 and rolls back otherwise
(a refused form, a 409, an error: nothing of it is kept). The commit runs inside the view's dispatch,
so a commit that loses a race (``StaleDataError``, a database refusal) reaches the error handlers
and answers 409/500 instead of a success that did not happen.

A view that must keep something although it answers an error (a failed sign-in attempt, which the
rate limit counts) commits that part itself before answering.
"""
from __future__ import annotations

from flask import Flask

from booking.extensions import db


def finish(status_code: int) -> None:
    """End the request's transaction by how the view answered."""
    if status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()


class RequestUnitOfWork(Flask):
    """The app class: every view's transaction is committed (or rolled back) before its answer leaves."""

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        finish(response.status_code)
        return response
