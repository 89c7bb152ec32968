"""Error pages for people and JSON errors for the API: never a stack trace, never a bare 500 page."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, default_exceptions

from booking.extensions import db
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You are not allowed to do that."),
        404: _("The page or record was not found."),
        405: _("That method is not allowed here."),
        413: _("The upload is too large."),
        414: _("The address is too long."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts. Please wait and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }


def _code_name(status: int) -> str:
    return {
        400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
        405: "method_not_allowed", 409: "conflict", 413: "too_large", 414: "uri_too_long", 422: "invalid",
        429: "too_many_requests", 500: "server_error",
    }.get(status, "error")


def json_error(status: int, message: str | None = None, fields: dict | None = None, *,
               headers: dict | None = None, **extra):
    """The API's one error shape. The API speaks English, so lazy messages are rendered in English."""
    with force_locale("en"):
        body = {"error": extra.pop("error", None) or _code_name(status),
                "message": str(message or _messages().get(status, "")),
                "fields": {name: str(text) for name, text in (fields or {}).items()}}
        body.update(extra)
        response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _render(status: int, message: str | None = None, headers: dict | None = None, fields: dict | None = None):
    if wants_json():
        return json_error(status, message, fields, headers=headers)
    page = render_template("error.html", status=status, message=message or _messages().get(status, ""),
                           fields=fields or {})
    return page, status, headers or {}


def abort_with(status: int, message, fields: dict | None = None):
    """Stop the request with ``status``, showing ``message`` (and per-field texts) instead of the generic one."""
    error = default_exceptions[status](description=message)  # lazy: the API renders it in English
    error._booking_message = True
    error.fields = fields or {}
    raise error


def _extra_headers(error: HTTPException) -> dict:
    """Headers the error carries besides its HTML content type, e.g. `Allow` on a 405."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, _("The form expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(error):
        """A compare-and-set lost (see booking.bookings.models.next_sequence): nothing of this request was kept."""
        db.session.rollback()
        return _render(409, _l("Someone else changed this at the same moment, so nothing was saved. "
                               "Reload the page to see the change, then try again."))

    @app.errorhandler(DBAPIError)
    def database_refused(error: DBAPIError):
        """At the unit of work's commit the database may still refuse for concurrency (a lock timeout, a
        deadlock, a serialization failure): that is a 409 to try again, not a server error."""
        from booking.bookings.guarantee import is_concurrency_conflict

        db.session.rollback()
        if is_concurrency_conflict(error):
            return changed_meanwhile(error)
        app.logger.exception("Database error on %s %s", request.method, request.path)
        return _render(500)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        description = error.description if getattr(error, "_booking_message", False) else None
        return _render(error.code or 500, description, _extra_headers(error), getattr(error, "fields", None))

    @app.errorhandler(ValidationFailed)
    def invalid_input(failed: ValidationFailed):
        """Bad input no form showed beside its field (e.g. a text too long for its column, found at the flush)."""
        db.session.rollback()
        return _render(422, fields=failed.errors)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return _render(500)
